import ControlPlane
import Foundation
import UnitProtocol

/// One row of `echelon routes`, as the admin API serves it.
public struct RouteView: Codable, Hashable, Sendable {
    public var sid: UInt32
    /// The service's name from its exports; nil until the definition has arrived.
    public var service: String?
    public var origin: UInt32
    /// The neighbour events go to; nil when this unit hosts the service.
    public var nextHop: UInt32?
    public var hops: UInt8
    /// upstream, peer, or local.
    public var relation: String
    /// Seconds since the route last changed.
    public var age: Double

    public init(
        sid: UInt32, service: String?, origin: UInt32, nextHop: UInt32?, hops: UInt8, relation: String, age: Double
    ) {
        self.sid = sid
        self.service = service
        self.origin = origin
        self.nextHop = nextHop
        self.hops = hops
        self.relation = relation
        self.age = age
    }
}

/// One row of `echelon units`: an established unit channel, or a configured neighbour that
/// has none yet (then `state` says what its dialer is doing).
public struct UnitView: Codable, Hashable, Sendable {
    /// Unknown until a channel has reached the unit.
    public var uid: UInt32?
    public var name: String
    public var tier: UInt8?
    public var relation: String
    /// established, connecting, connected (handshake under way), or retrying: reason.
    public var state: String
    /// The configured address, for neighbours without an established channel.
    public var address: String?

    public init(uid: UInt32?, name: String, tier: UInt8?, relation: String, state: String, address: String?) {
        self.uid = uid
        self.name = name
        self.tier = tier
        self.relation = relation
        self.state = state
        self.address = address
    }
}

/// What `GET /status` says about the unit itself.
public struct StatusView: Codable, Hashable, Sendable {
    public var uid: UInt32
    public var name: String
    public var tier: UInt8
    public var routes: Int
    public var units: Int
    public var switches: Int
    public var hosts: Int
    /// Links link discovery holds now (each direction once).
    public var links: Int = 0
    /// LLDP probes not believed, by reason (unsigned, bad_authenticator, stale, from_the_future, replayed).
    public var probesRejected: [String: Int] = [:]
    /// Genuine probes that came from another unit's switches (domain edges).
    public var domainEdgeProbes: Int = 0
}
