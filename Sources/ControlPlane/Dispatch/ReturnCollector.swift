import NIOCore
import OpenFlow
import UnitProtocol

/// Where a hosted service's messages go while it answers an event sent from below: they are
/// gathered into the return instead of going to a switch of this unit. A unit keeps one and
/// empties it for each event, so that serving an event allocates no collector and, once the
/// return that shared its list is gone, no list either.
final class ReturnCollector: SwitchMessageSink {
    private(set) var messages: [EventReturn.SwitchMessage] = []
    /// The messages' bytes, one after another (each message is a slice of it).
    private var storage = ByteBuffer()

    func send(_ body: OpenFlowMessage.Body, to datapathID: DatapathID) {
        messages.append(EventReturn.SwitchMessage(datapathID: datapathID, xid: 0, body, storage: &storage))
    }

    /// Keeps the messages `keep` accepts; returns how many it refused.
    func keep(where keep: (DatapathID) -> Bool) -> Int {
        let before = messages.count
        messages.removeAll { !keep($0.datapathID) }
        return before - messages.count
    }

    func reset() {
        messages.removeAll(keepingCapacity: true)
        storage.clear()
    }
}
