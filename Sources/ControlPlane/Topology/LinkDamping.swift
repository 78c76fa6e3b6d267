import NIOCore

/// Keeps a flapping link out of the graph, so that a link going down and up many times a
/// second does not recompute the spanning tree, and shift every flood, on each flap.
///
/// A link going down always takes effect at once (nothing is forwarded over a link that may be
/// down). A link that has gone down `flapLimit` times within `window` is suppressed: it is not
/// added back while it keeps flapping, and comes back `holdTime` after its last flap, if
/// discovery still confirms it then.
public struct LinkDamping: Sendable {
    public var flapLimit: Int
    public var window: TimeAmount
    public var holdTime: TimeAmount
    /// When each link recently went down, oldest first (within `window`).
    private var downs: [TopologyLink: [NIODeadline]] = [:]
    /// Suppressed links, with when they may come back.
    public private(set) var suppressed: [TopologyLink: NIODeadline] = [:]

    public init(flapLimit: Int = 3, window: TimeAmount = .seconds(10), holdTime: TimeAmount = .seconds(10)) {
        self.flapLimit = flapLimit
        self.window = window
        self.holdTime = holdTime
    }

    /// A link went down. Returns true when this flap suppresses it (it was not suppressed before).
    @discardableResult
    public mutating func wentDown(_ link: TopologyLink, now: NIODeadline) -> Bool {
        let window = self.window
        var recent = (downs[link] ?? []).filter { now - $0 < window }
        recent.append(now)
        downs[link] = recent
        if suppressed[link] != nil {
            suppressed[link] = now + holdTime
            return false
        }
        guard recent.count >= flapLimit else { return false }
        suppressed[link] = now + holdTime
        return true
    }

    /// Whether a link discovery confirms may join the graph now.
    public func admits(_ link: TopologyLink) -> Bool { suppressed[link] == nil }

    /// Ends the suppressions whose hold time has passed, and forgets old flaps. Returns the
    /// links that may join the graph again.
    public mutating func release(now: NIODeadline) -> [TopologyLink] {
        let window = self.window
        downs = downs.compactMapValues { times in
            let recent = times.filter { now - $0 < window }
            return recent.isEmpty ? nil : recent
        }
        let released = suppressed.filter { now >= $0.value }.keys.sorted { $0.a < $1.a }
        for link in released { suppressed[link] = nil }
        return released
    }
}
