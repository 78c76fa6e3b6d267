/// The emulated switches that have finished their handshake, by index, for the work that
/// crosses from one switch to another: a probe carried over a cable (`FabricRelay`), or a host
/// pair whose two hosts sit at opposite ends of a path (`PathSetupLoad`).
///
/// What one switch writes on another's behalf waits in that switch's buffer until the read
/// being handled is over (`flushPending`), so that a read's worth of messages goes out in one
/// write per switch, as each switch's own answers do.
final class SwitchRoster {
    private var members: [EmulatedSwitch?]
    /// Switches with messages written since their last flush, each once.
    private var pending: [Int] = []
    private var isPending: [Bool]

    init(count: Int) {
        members = Array(repeating: nil, count: count)
        isPending = Array(repeating: false, count: count)
    }

    /// The switch with this index, if it is connected and configured.
    subscript(index: Int) -> EmulatedSwitch? { members.indices.contains(index) ? members[index] : nil }

    func add(_ member: EmulatedSwitch, at index: Int) {
        guard members.indices.contains(index) else { return }
        members[index] = member
    }

    func remove(_ member: EmulatedSwitch, at index: Int) {
        guard members.indices.contains(index), members[index] === member else { return }
        members[index] = nil
    }

    /// The switch has written something that `flushPending` must send.
    func needsFlush(_ index: Int) {
        guard isPending.indices.contains(index), !isPending[index] else { return }
        isPending[index] = true
        pending.append(index)
    }

    /// Sends what every switch has waiting.
    func flushPending() {
        guard !pending.isEmpty else { return }
        let indices = pending
        pending.removeAll(keepingCapacity: true)
        for index in indices {
            isPending[index] = false
            members[index]?.flushOutbound()
        }
    }
}
