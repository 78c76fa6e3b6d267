import NIOCore
import UnitProtocol

/// The control-plane route table of one unit: for every service it can reach, the neighbour
/// to send that service's events to and the distance. A pure state machine: channel and
/// message events in (with the time), messages to send and route changes out.
///
/// The rules, RIP-like:
/// - A unit's own services are routes of 0 hops. A route learned from a neighbour is one hop
///   longer than the neighbour's; 16 hops is unreachable.
/// - The shortest route wins; between equal ones, the neighbour with the lower UID.
/// - Advertisements flow down: a unit advertises every route to its downstream units, none to
///   its upstream units, and refuses routes from a downstream unit (lower tiers do not serve
///   higher ones).
/// - Peers do not serve each other: a unit does not advertise its own services to a peer, and
///   ignores a peer's own services (0 hops). It relays to peers the routes it learned from its
///   upstream units, so that a unit that cannot see a service reaches it through a peer that
///   can; routes learned from a peer are not relayed to other peers, which keeps loops among
///   peers impossible by construction.
/// - Split horizon: a route is never advertised to the neighbour it goes through.
/// - Only changes are sent (triggered updates), and what each neighbour was told is remembered,
///   so a neighbour hears about a route again only when what it should know changes.
public struct RouteTable: Sendable {
    public let localUnit: UnitID
    public private(set) var routes: [ServiceID: Route] = [:]
    public private(set) var counters = RouteTableCounters()
    private var hosted: Set<ServiceID> = []
    private var neighbours: [UnitID: Neighbour] = [:]

    struct Neighbour: Sendable {
        var relation: ChannelRelation
        /// Routes as the neighbour advertised them (its own distance).
        var learned: [ServiceID: RouteEntry] = [:]
        /// What we have told the neighbour (our distance).
        var advertised: [ServiceID: RouteEntry] = [:]
    }

    /// Routes one neighbour may have us learn; an advertisement that would take it over is
    /// refused whole.
    public let maximumRoutesPerNeighbour: Int

    public init(localUnit: UnitID, maximumRoutesPerNeighbour: Int = 10_000) {
        self.localUnit = localUnit
        self.maximumRoutesPerNeighbour = maximumRoutesPerNeighbour
    }

    public func route(to sid: ServiceID) -> Route? { routes[sid] }

    /// The neighbours with an open channel, by UID.
    public var adjacencies: [(unit: UnitID, relation: ChannelRelation)] {
        neighbours.keys.sorted().compactMap { unit in neighbours[unit].map { (unit, $0.relation) } }
    }

    // MARK: Events

    /// This unit hosts a service from now on.
    public mutating func host(_ sid: ServiceID, now: NIODeadline) -> [RouteTableAction] {
        guard hosted.insert(sid).inserted else { return [] }
        return recompute([sid], now: now)
    }

    /// This unit no longer hosts a service.
    public mutating func stopHosting(_ sid: ServiceID, now: NIODeadline) -> [RouteTableAction] {
        guard hosted.remove(sid) != nil else { return [] }
        return recompute([sid], now: now)
    }

    /// A unit channel finished its handshake: the neighbour is told every route it should know.
    /// A neighbour that was already connected is replaced (its old routes are withdrawn first).
    public mutating func channelUp(
        _ neighbour: UnitID, relation: ChannelRelation, now: NIODeadline
    ) throws(RouteTableError) -> [RouteTableAction] {
        guard neighbour != localUnit else {
            throw RouteTableError(
                neighbour: neighbour, reason: "the unit at the other end claims our own UID \(localUnit)")
        }
        var actions = neighbours[neighbour] == nil ? [] : channelDown(neighbour, now: now)
        neighbours[neighbour] = Neighbour(relation: relation)
        actions += updates(for: routes.keys.sorted(), to: neighbour)
        return actions
    }

    /// A unit channel closed or was declared dead: its routes are withdrawn at once and any
    /// alternative takes over.
    public mutating func channelDown(_ neighbour: UnitID, now: NIODeadline) -> [RouteTableAction] {
        guard let gone = neighbours.removeValue(forKey: neighbour) else { return [] }
        return recompute(Set(gone.learned.keys), now: now)
    }

    /// Routes a neighbour advertises. A message with any entry that breaks the protocol is
    /// refused whole and changes nothing.
    public mutating func received(
        _ advertisement: RouteAdvertisement, from neighbour: UnitID, now: NIODeadline
    ) throws(RouteTableError) -> [RouteTableAction] {
        guard var state = neighbours[neighbour] else {
            throw RouteTableError(
                neighbour: neighbour, reason: "an advertisement on a channel that has not finished its handshake")
        }
        guard state.relation != .downstream else {
            throw RouteTableError(
                neighbour: neighbour,
                reason: "a downstream unit advertised routes; lower tiers do not serve higher ones")
        }
        for entry in advertisement.routes {
            guard entry.origin != localUnit else {
                throw RouteTableError(
                    neighbour: neighbour,
                    reason: "the route to \(entry.sid) claims our own UID \(localUnit) as its origin")
            }
            guard entry.hops <= RouteEntry.infinity else {
                throw RouteTableError(
                    neighbour: neighbour,
                    reason: "the route to \(entry.sid) has \(entry.hops) hops, above infinity (16)")
            }
        }
        // What the neighbour would have us know after this message, counted before anything
        // changes: the message is refused whole if that is over the bound.
        var after = Set(state.learned.keys)
        for entry in advertisement.routes {
            if entry.hops < RouteEntry.infinity { after.insert(entry.sid) } else { after.remove(entry.sid) }
        }
        guard after.count <= maximumRoutesPerNeighbour else {
            throw RouteTableError(
                neighbour: neighbour,
                reason: "more than \(maximumRoutesPerNeighbour) routes advertised (units.maximumServices)")
        }
        var affected: Set<ServiceID> = []
        for entry in advertisement.routes {
            affected.insert(entry.sid)
            if entry.hops == RouteEntry.infinity {
                state.learned[entry.sid] = nil
            } else if state.relation == .peer && entry.hops == 0 {
                // A peer's own service: peers do not serve each other.
                counters.peerServicesIgnored += 1
                state.learned[entry.sid] = nil
            } else {
                state.learned[entry.sid] = entry
            }
        }
        neighbours[neighbour] = state
        return recompute(affected, now: now)
    }

    /// Routes a neighbour no longer offers us.
    public mutating func received(
        _ withdrawal: RouteWithdrawal, from neighbour: UnitID, now: NIODeadline
    ) throws(RouteTableError) -> [RouteTableAction] {
        guard neighbours[neighbour] != nil else {
            throw RouteTableError(
                neighbour: neighbour, reason: "a withdrawal on a channel that has not finished its handshake")
        }
        var affected: Set<ServiceID> = []
        for sid in withdrawal.sids where neighbours[neighbour]?.learned.removeValue(forKey: sid) != nil {
            affected.insert(sid)
        }
        return recompute(affected, now: now)
    }

    // MARK: Route selection

    private mutating func recompute(_ sids: Set<ServiceID>, now: NIODeadline) -> [RouteTableAction] {
        var actions: [RouteTableAction] = []
        var changed: [ServiceID] = []
        for sid in sids.sorted() {
            var best = bestRoute(to: sid, now: now)
            let old = routes[sid]
            if let current = old, var candidate = best {
                candidate.since = current.since
                if candidate == current { continue }
            } else if old == nil && best == nil {
                continue
            }
            best?.since = now
            routes[sid] = best
            changed.append(sid)
            actions.append(.routeChanged(sid, best))
        }
        guard !changed.isEmpty else { return actions }
        for neighbour in neighbours.keys.sorted() {
            actions += updates(for: changed, to: neighbour)
        }
        return actions
    }

    private func bestRoute(to sid: ServiceID, now: NIODeadline) -> Route? {
        if hosted.contains(sid) {
            return Route(sid: sid, origin: localUnit, nextHop: nil, relation: nil, hops: 0, since: now)
        }
        var best: Route?
        for (unit, neighbour) in neighbours where neighbour.relation != .downstream {
            guard let entry = neighbour.learned[sid], entry.hops + 1 < RouteEntry.infinity else { continue }
            let hops = entry.hops + 1
            if let current = best, let currentHop = current.nextHop, (current.hops, currentHop) <= (hops, unit) {
                continue
            }
            best = Route(
                sid: sid, origin: entry.origin, nextHop: unit, relation: neighbour.relation, hops: hops, since: now)
        }
        return best
    }

    // MARK: What each neighbour is told

    /// Whether a neighbour with this relation should hear of a route (rules 3 to 5).
    public static func isVisible(_ route: Route, to neighbour: UnitID?, relation: ChannelRelation) -> Bool {
        guard route.nextHop == nil || route.nextHop != neighbour else { return false }
        return switch relation {
        case .upstream: false
        case .downstream: true
        case .peer: route.relation == .upstream
        }
    }

    /// The routes a neighbour with this relation should know, by SID: what its exports list
    /// holds.
    public func visibleRoutes(to neighbour: UnitID?, relation: ChannelRelation) -> [Route] {
        routes.keys.sorted().compactMap { sid in
            routes[sid].flatMap { Self.isVisible($0, to: neighbour, relation: relation) ? $0 : nil }
        }
    }

    /// What `neighbour` should know of a route, or nil if it should not hear of it.
    private func entry(for route: Route?, to neighbour: UnitID, relation: ChannelRelation) -> RouteEntry? {
        guard let route, Self.isVisible(route, to: neighbour, relation: relation) else { return nil }
        return RouteEntry(sid: route.sid, origin: route.origin, hops: route.hops)
    }

    /// The advertisement and withdrawal that bring `neighbour` up to date on `sids`.
    private mutating func updates(for sids: [ServiceID], to neighbour: UnitID) -> [RouteTableAction] {
        guard var state = neighbours[neighbour] else { return [] }
        var advertise: [RouteEntry] = []
        var withdraw: [ServiceID] = []
        for sid in sids {
            let wanted = entry(for: routes[sid], to: neighbour, relation: state.relation)
            guard wanted != state.advertised[sid] else { continue }
            if let wanted { advertise.append(wanted) } else { withdraw.append(sid) }
            state.advertised[sid] = wanted
        }
        neighbours[neighbour] = state
        counters.entriesAdvertised += advertise.count
        counters.entriesWithdrawn += withdraw.count
        return RouteAdvertisement.parts(advertise).map { .send(.routeAdvertisement($0), to: neighbour) }
            + RouteWithdrawal.parts(withdraw).map { .send(.routeWithdrawal($0), to: neighbour) }
    }
}

/// What a route table has done, for inspection and for the tests that bound message counts.
public struct RouteTableCounters: Hashable, Sendable, Codable {
    public var entriesAdvertised = 0
    public var entriesWithdrawn = 0
    /// Entries for a peer's own services, which peers do not take.
    public var peerServicesIgnored = 0
}
