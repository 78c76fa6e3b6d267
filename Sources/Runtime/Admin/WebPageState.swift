import ControlPlane
import UnitProtocol

/// What the web page shows of one unit: itself, its channels, where each service it routes to
/// lives, and its domain. Sent whole on every change (`/ui/events`); it carries no ages or
/// clocks, so that an unchanged control plane sends nothing.
struct WebPageState: Codable, Equatable, Sendable {
    struct Unit: Codable, Equatable, Sendable {
        var name: String
        var uid: UInt32
        var tier: UInt8
    }

    struct Route: Codable, Equatable, Sendable {
        var sid: UInt32
        var service: String?
        /// The UID of the unit that hosts the service.
        var origin: UInt32
        var relation: String
        var hops: UInt8
    }

    var unit: Unit
    var channels: [UnitView]
    var routes: [Route]
    var topology: TopologyView

    init(identity: UnitIdentity, routing: RoutingSnapshot, topology: TopologySnapshot) {
        unit = Unit(name: identity.name, uid: identity.uid.rawValue, tier: identity.tier)
        channels = AdminServer.unitViews(routing)
        routes = AdminServer.routeViews(routing).map {
            Route(sid: $0.sid, service: $0.service, origin: $0.origin, relation: $0.relation, hops: $0.hops)
        }
        self.topology = TopologyView(topology)
    }
}
