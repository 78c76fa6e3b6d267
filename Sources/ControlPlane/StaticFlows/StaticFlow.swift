import OpenFlow

/// A flow an operator pushed through the admin API (Floodlight's static flow pusher), kept by
/// the unit under its name and installed whenever its switch is connected.
public struct StaticFlow: Hashable, Sendable {
    public var name: String
    public var datapathID: DatapathID
    public var match: Match
    public var priority: UInt16
    public var cookie: UInt64
    public var idleTimeout: UInt16
    public var hardTimeout: UInt16
    /// No actions: matching frames are dropped.
    public var actions: [Action]
    /// An inactive flow is kept but not installed.
    public var active: Bool

    /// Services install their flows below this priority (forwarding at 10, the authenticator's
    /// drops just under it), so that an operator's flow always wins over theirs.
    public static let lowestPriority: UInt16 = 100

    public init(
        name: String, datapathID: DatapathID, match: Match, priority: UInt16 = FlowMod.defaultPriority,
        cookie: UInt64 = 0, idleTimeout: UInt16 = 0, hardTimeout: UInt16 = 0, actions: [Action] = [],
        active: Bool = true
    ) {
        self.name = name
        self.datapathID = datapathID
        self.match = match.canonical
        self.priority = max(priority, Self.lowestPriority)
        self.cookie = cookie
        self.idleTimeout = idleTimeout
        self.hardTimeout = hardTimeout
        self.actions = actions
        self.active = active
    }

    /// The FLOW_MOD that installs it. The switch reports its removal, so that a service's
    /// broad delete that swept it away can be undone.
    public var installation: FlowMod {
        FlowMod(
            match: match, cookie: cookie, command: .add, idleTimeout: idleTimeout, hardTimeout: hardTimeout,
            priority: priority, flags: .sendFlowRemoved, actions: actions)
    }

    /// The FLOW_MOD that removes exactly this flow from its switch.
    public var removal: FlowMod {
        FlowMod(match: match, cookie: cookie, command: .deleteStrict, priority: priority)
    }

    /// Whether `other` occupies the same entry of a switch's table (OpenFlow 1.0 keys a flow by
    /// its match and priority).
    func occupiesSameEntry(as other: StaticFlow) -> Bool {
        datapathID == other.datapathID && match == other.match && priority == other.priority
    }
}

extension Match {
    /// The same match with every wildcarded field zeroed and IPv4 addresses cut to their
    /// prefixes, as a switch reports it back: two matches that select the same frames compare
    /// equal.
    public var canonical: Match {
        var match = Match(wildcards: wildcards)
        let kept = wildcards
        if !kept.contains(.inPort) { match.inPort = inPort }
        if !kept.contains(.dlSrc) { match.dlSrc = dlSrc }
        if !kept.contains(.dlDst) { match.dlDst = dlDst }
        if !kept.contains(.dlVlan) { match.dlVlan = dlVlan }
        if !kept.contains(.dlVlanPcp) { match.dlVlanPcp = dlVlanPcp }
        if !kept.contains(.dlType) { match.dlType = dlType }
        if !kept.contains(.nwTos) { match.nwTos = nwTos }
        if !kept.contains(.nwProto) { match.nwProto = nwProto }
        if !kept.contains(.tpSrc) { match.tpSrc = tpSrc }
        if !kept.contains(.tpDst) { match.tpDst = tpDst }
        match.nwSrc = Self.prefix(of: nwSrc, length: wildcards.nwSrcPrefixLength)
        match.nwDst = Self.prefix(of: nwDst, length: wildcards.nwDstPrefixLength)
        match.wildcards.nwSrcIgnoredBits = 32 - wildcards.nwSrcPrefixLength
        match.wildcards.nwDstIgnoredBits = 32 - wildcards.nwDstPrefixLength
        return match
    }

    private static func prefix(of address: IPv4Address, length: Int) -> IPv4Address {
        guard length > 0 else { return .any }
        return IPv4Address(rawValue: address.rawValue & ~UInt32(0) << UInt32(32 - length))
    }
}
