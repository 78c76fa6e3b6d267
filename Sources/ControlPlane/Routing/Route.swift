import NIOCore
import UnitProtocol

/// The best way a unit knows to reach a service.
public struct Route: Hashable, Sendable {
    public var sid: ServiceID
    /// The unit hosting the service.
    public var origin: UnitID
    /// The neighbour events for this service go to; nil when this unit hosts it.
    public var nextHop: UnitID?
    /// How the next hop relates to us; nil when local.
    public var relation: ChannelRelation?
    /// Units between us and the service: 0 when local.
    public var hops: UInt8
    /// When the route last changed (next hop or distance).
    public var since: NIODeadline

    public init(
        sid: ServiceID, origin: UnitID, nextHop: UnitID?, relation: ChannelRelation?, hops: UInt8, since: NIODeadline
    ) {
        self.sid = sid
        self.origin = origin
        self.nextHop = nextHop
        self.relation = relation
        self.hops = hops
        self.since = since
    }

    var isLocal: Bool { nextHop == nil }
}
