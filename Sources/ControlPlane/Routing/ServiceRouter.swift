import NIOCore
import UnitProtocol

/// The routing side of one unit, over all its unit channels: the route table, the definitions
/// of the services its routes lead to (what each neighbour exported), and which channel
/// carries each neighbour. A pure state machine like `RouteTable`, which it drives: channel
/// and message events in (with the time), actions out; the runtime keeps the channels and
/// performs the actions.
///
/// The rules it adds to the route table's:
/// - **One channel per neighbour.** Peers dial each other, so two channels can join the same
///   two units. Both ends keep the one dialed by the lower UID, and close the other, so they
///   agree without talking about it. Only the bound channel carries the neighbour's messages;
///   one on its way out carries nothing.
/// - **Events go up or across, never down.** An event from an upstream unit is refused (and
///   counted); a downstream unit's exports are ignored, at the handshake and in updates,
///   because a lower tier serves no higher one.
/// - **A definition travels with its route.** Each neighbour's exports are kept, by SID, as
///   they arrived; a neighbour hears the definition of a route before the route itself, and
///   only of routes it may see (`RouteTable.isVisible`). The dispatcher learns a service above
///   once both its route and the next hop's definition of it are in.
public struct ServiceRouter: Sendable {
    public let identity: UnitIdentity
    private var table: RouteTable
    /// The services this unit hosts, by SID: the definitions of its 0-hop routes.
    private let hosted: [ServiceID: ExportedService]
    private var neighbours: [UnitID: Neighbour] = [:]

    /// A neighbour with an established channel.
    public struct Neighbour: Hashable, Sendable {
        public var identity: UnitIdentity
        public var relation: ChannelRelation
        public var channel: UnitChannelID
        /// The unit that dialed the channel; nil when unknown (it then loses every tie-break).
        public var dialer: UnitID?
        /// What it exported to us, by SID (empty for a unit below).
        var exports: [ServiceID: ExportedService] = [:]
    }

    /// `maximumServices` bounds the routes each neighbour may have this unit learn.
    public init(identity: UnitIdentity, hosted: [ExportedService], maximumServices: Int = 10_000, now: NIODeadline) {
        self.identity = identity
        self.hosted = Dictionary(hosted.map { ($0.sid, $0) }, uniquingKeysWith: { first, _ in first })
        var table = RouteTable(localUnit: identity.uid, maximumRoutesPerNeighbour: maximumServices)
        // No neighbour yet: hosting sends nothing.
        for service in hosted { _ = table.host(service.sid, now: now) }
        self.table = table
    }

    // MARK: Channels

    /// A unit channel finished its handshake with `remote`, which exported `exports`.
    public mutating func established(
        _ channel: UnitChannelID, remote: UnitIdentity, relation: ChannelRelation, dialer: UnitID?,
        exports: [ExportedService], now: NIODeadline
    ) -> [ServiceRouterAction] {
        var actions: [ServiceRouterAction] = []
        if let existing = neighbours[remote.uid], existing.channel != channel {
            guard Self.wins(dialer, over: existing.dialer) else { return [.closeDuplicate(channel)] }
            actions.append(.closeDuplicate(existing.channel))
        }
        var neighbour = Neighbour(identity: remote, relation: relation, channel: channel, dialer: dialer)
        if relation != .downstream {
            neighbour.exports = Dictionary(exports.map { ($0.sid, $0) }, uniquingKeysWith: { _, last in last })
        }
        neighbours[remote.uid] = neighbour
        actions.append(.bind(remote.uid, channel))
        do {
            // The table changes first: `routing` reads it (a method call takes its `self` before its arguments).
            let tableActions = try table.channelUp(remote.uid, relation: relation, now: now)
            actions += routing(tableActions)
        } catch {
            neighbours[remote.uid] = nil
            actions += [.unbind(remote.uid), .refuse(channel, reason: error.description)]
        }
        return actions
    }

    /// Whether a channel dialed by `new` replaces one dialed by `old`: the lower dialer UID wins.
    static func wins(_ new: UnitID?, over old: UnitID?) -> Bool {
        (new?.rawValue ?? .max) < (old?.rawValue ?? .max)
    }

    /// A unit channel closed. Only the bound channel's end withdraws the neighbour's routes.
    public mutating func channelDown(
        _ unit: UnitID, on channel: UnitChannelID, now: NIODeadline
    )
        -> [ServiceRouterAction]
    {
        guard let neighbour = neighbours[unit], neighbour.channel == channel else { return [] }
        return drop(neighbour, now: now)
    }

    /// Forgets a neighbour: its routes are withdrawn at once, and any alternative takes over.
    private mutating func drop(_ neighbour: Neighbour, now: NIODeadline) -> [ServiceRouterAction] {
        let unit = neighbour.identity.uid
        neighbours[unit] = nil
        var actions: [ServiceRouterAction] = [.unbind(unit)]
        let tableActions = table.channelDown(unit, now: now)
        actions += routing(tableActions)
        if neighbour.relation == .downstream { actions.append(.downstreamGone(unit)) }
        return actions
    }

    // MARK: Messages

    /// Where a unit message of this type, read on a channel with this relation, goes.
    public static func destination(
        of type: UnitMessageType, from unit: UnitID, relation: ChannelRelation
    ) -> UnitMessageDestination {
        switch type {
        case .event:
            // Events flow up (and across peers): a unit above has no events for us.
            relation == .upstream ? .refused(.eventFromAbove(from: unit.rawValue)) : .dispatcher
        case .eventReturn:
            .dispatcher
        case .command:
            // Commands flow down (and across peers), the way returns do.
            relation == .downstream ? .refused(.commandFromBelow(from: unit.rawValue)) : .dispatcher
        default:
            .router
        }
    }

    /// A routing message (advertisement, withdrawal, exports update) from a neighbour, read on
    /// `channel`. Anything else is not the router's and changes nothing.
    public mutating func received(
        _ message: UnitMessage, from unit: UnitID, on channel: UnitChannelID, now: NIODeadline
    ) -> [ServiceRouterAction] {
        guard let neighbour = neighbours[unit], neighbour.channel == channel else { return [] }
        do {
            let tableActions: [RouteTableAction]
            switch message {
            case .routeAdvertisement(let advertisement):
                tableActions = try table.received(advertisement, from: unit, now: now)
            case .routeWithdrawal(let withdrawal):
                tableActions = try table.received(withdrawal, from: unit, now: now)
            case .exportsUpdate(let update):
                guard neighbour.relation != .downstream else { return [] }
                for service in update.services { neighbours[unit]?.exports[service.sid] = service }
                return definitions(of: update.services.compactMap { table.route(to: $0.sid) })
                    + [.servicesAboveChanged(servicesAbove)]
            default:
                return []
            }
            return routing(tableActions)
        } catch {
            // The route table changed nothing; the neighbour goes as if its channel had died.
            return drop(neighbour, now: now) + [.refuse(channel, reason: error.description)]
        }
    }

    // MARK: What neighbours see

    /// The definitions of the routes a neighbour may see: what the exports reply of its
    /// handshake carries.
    public func exports(to unit: UnitID, relation: ChannelRelation) -> [ExportedService] {
        table.visibleRoutes(to: unit, relation: relation).compactMap(definition(of:))
    }

    /// The definition that goes with a route: this unit's own for a hosted service, else what
    /// the next hop exported.
    public func definition(of route: Route) -> ExportedService? {
        guard let nextHop = route.nextHop else { return hosted[route.sid] }
        return neighbours[nextHop]?.exports[route.sid]
    }

    /// Every route through a neighbour whose definition has arrived, with that neighbour as
    /// next hop, by SID.
    public var servicesAbove: [RemoteService] {
        table.routes.keys.sorted().compactMap { sid in
            guard let route = table.routes[sid], let nextHop = route.nextHop,
                let definition = neighbours[nextHop]?.exports[sid]
            else { return nil }
            return RemoteService(definition: definition, nextHop: nextHop)
        }
    }

    // MARK: Inspection

    public var routes: [Route] { table.routes.keys.sorted().compactMap { table.route(to: $0) } }

    /// The neighbours with an established channel, by UID.
    public var adjacencies: [Neighbour] { neighbours.keys.sorted().compactMap { neighbours[$0] } }

    public func neighbour(_ unit: UnitID) -> Neighbour? { neighbours[unit] }

    public var counters: RouteTableCounters { table.counters }

    // MARK: Helpers

    /// The route table's actions as the runtime performs them: definitions go out before the
    /// routes that name them, and the dispatcher hears of any change.
    private func routing(_ tableActions: [RouteTableAction]) -> [ServiceRouterAction] {
        var actions: [ServiceRouterAction] = []
        var reachable: [Route] = []
        var changed = false
        for case .routeChanged(let sid, let route) in tableActions {
            changed = true
            actions.append(.routeChanged(sid, route))
            if let route { reachable.append(route) }
        }
        actions += definitions(of: reachable)
        for case .send(let message, let unit) in tableActions { actions.append(.send(message, to: unit)) }
        if changed { actions.append(.servicesAboveChanged(servicesAbove)) }
        return actions
    }

    /// Exports updates that give every neighbour that may see these routes their definitions.
    private func definitions(of routes: [Route]) -> [ServiceRouterAction] {
        guard !routes.isEmpty else { return [] }
        var actions: [ServiceRouterAction] = []
        for unit in neighbours.keys.sorted() {
            guard let neighbour = neighbours[unit], neighbour.relation != .upstream else { continue }
            let services = routes.filter { RouteTable.isVisible($0, to: unit, relation: neighbour.relation) }
                .compactMap(definition(of:))
            guard !services.isEmpty else { continue }
            for part in Exports.parts(unit: identity, services: services) {
                actions.append(.send(.exportsUpdate(part), to: unit))
            }
        }
        return actions
    }
}
