import ControlPlane
import Logging
import NIOCore
import UnitProtocol

/// The unit's side of the control plane, on its event loop: the route table, the service
/// definitions that go with the routes (exports), and the unit channels they travel on.
final class UnitRoutingCore {
    let identity: UnitIdentity
    let eventLoop: any EventLoop
    private var table: RouteTable
    private let hosted: [ServiceID: ExportedService]
    /// What each upstream unit or peer exported to us.
    private var exportsFrom: [UnitID: [ServiceID: ExportedService]] = [:]
    /// The channel that carries routing to each neighbour.
    private var active: [UnitID: UnitChannelHandler] = [:] {
        didSet { lastActive = nil }
    }
    /// The neighbour the last event or return went to or came from, with its channel: nearly
    /// all of them are to and from one unit (the one above), which saves hashing its UID for
    /// each. Forgotten whenever `active` changes.
    private var lastActive: (unit: UnitID, handler: UnitChannelHandler)?
    private var open: [ObjectIdentifier: UnitChannelHandler] = [:]
    /// What each dialer is doing, by the neighbour's name in the topology.
    private(set) var dialing: [String: DialerState] = [:]
    private let logger: Logger
    /// The unit's switch side, which matches events and serves and relays them.
    let core: UnitCore
    /// Channels with unit messages waiting for the end of the current burst, and how many wait.
    private var pendingFlush: [UnitChannelHandler] = []
    private var enqueuedSinceFlush = 0
    /// Unit messages for a unit with no channel (it went away while its events were on their way).
    private(set) var undeliverable = 0

    /// A configured neighbour as its dialer sees it.
    struct DialerState {
        var address: SocketAddressSpec
        var relation: ChannelRelation
        /// connecting, connected, or retrying (with the reason).
        var state: String
        var reached: UnitID?
    }

    init(identity: UnitIdentity, hosted: [ExportedService], core: UnitCore, eventLoop: any EventLoop, logger: Logger) {
        self.core = core
        self.identity = identity
        self.eventLoop = eventLoop
        self.logger = logger
        self.hosted = Dictionary(hosted.map { ($0.sid, $0) }, uniquingKeysWith: { first, _ in first })
        self.table = RouteTable(localUnit: identity.uid)
        for service in hosted { _ = table.host(service.sid, now: .now()) }
    }

    // MARK: Channels

    func opened(_ handler: UnitChannelHandler) { open[ObjectIdentifier(handler)] = handler }
    func closed(_ handler: UnitChannelHandler) { open[ObjectIdentifier(handler)] = nil }

    func hasChannel(to unit: UnitID) -> Bool { active[unit] != nil }

    func dialer(_ name: String, is state: DialerState) { dialing[name] = state }

    func tick(now: NIODeadline) {
        for handler in open.values { handler.tick(now: now) }
    }

    func closeAll() {
        for handler in open.values { handler.close() }
    }

    /// Sends an event or a return; written at the end of the current burst.
    func send(_ message: UnitMessage, to unit: UnitID) {
        send(to: unit) { message.write(to: &$0, xid: $1) }
    }

    /// Sends what `write` appends (one whole unit message, with the xid it is given) to the unit.
    func send(to unit: UnitID, _ write: (inout ByteBuffer, UInt32) -> Void) {
        guard let handler = activeChannel(to: unit) else {
            undeliverable += 1
            return
        }
        if handler.enqueue(write) { pendingFlush.append(handler) }
        enqueuedSinceFlush += 1
    }

    private func activeChannel(to unit: UnitID) -> UnitChannelHandler? {
        if let lastActive, lastActive.unit == unit { return lastActive.handler }
        guard let handler = active[unit] else { return nil }
        lastActive = (unit, handler)
        return handler
    }

    /// Whether unit messages wait to be written.
    var hasPending: Bool { !pendingFlush.isEmpty }

    /// Unit messages written in one go under load. A switch's burst under load is a few dozen
    /// requests (at most its window: 32 in the benchmarks), so each write carries two or three
    /// bursts. Against writing after every burst it cut tier 2's reads from 0.019–0.022 to
    /// 0.013–0.015 per event and each tier's CPU per event by 9–21 %, in five
    /// alternating runs (32 wrote after nearly every burst, as before; THESIS-NOTES §9.5).
    static let batchSize = 64

    /// Writes what waits once a batch of it does (`batchSize`); the caller writes the rest at
    /// the end of the loop's round.
    func flushIfBatchWaits() {
        guard enqueuedSinceFlush >= Self.batchSize else { return }
        flushPending()
    }

    func flushPending() {
        enqueuedSinceFlush = 0
        guard !pendingFlush.isEmpty else { return }
        let handlers = pendingFlush
        pendingFlush.removeAll(keepingCapacity: true)
        for handler in handlers { handler.flushEnqueued() }
    }

    /// What a neighbour may see: the definitions of the routes visible to it.
    func exports(to unit: UnitID, relation: ChannelRelation) -> [ExportedService] {
        table.visibleRoutes(to: unit, relation: relation).compactMap(definition(of:))
    }

    func established(
        _ handler: UnitChannelHandler, remote: UnitIdentity, relation: ChannelRelation, exports: [ExportedService]
    ) {
        if let existing = active[remote.uid], existing !== handler {
            // Peers dial each other, so two channels can join the same two units. Both ends
            // keep the one dialed by the lower UID, so they agree without talking about it.
            let new = handler.dialerUID?.rawValue ?? .max
            let old = existing.dialerUID?.rawValue ?? .max
            guard new < old else {
                handler.closeDuplicate()
                return
            }
            active[remote.uid] = nil
            existing.closeDuplicate()
        }
        active[remote.uid] = handler
        exportsFrom[remote.uid] =
            relation == .downstream
            ? [:] : Dictionary(exports.map { ($0.sid, $0) }, uniquingKeysWith: { _, last in last })
        do {
            perform(try table.channelUp(remote.uid, relation: relation, now: .now()))
        } catch {
            active[remote.uid] = nil
            handler.refuse(error.description)
        }
    }

    func received(
        _ message: UnitMessage, from unit: UnitID, relation: ChannelRelation, on handler: UnitChannelHandler,
        now: NIODeadline
    ) {
        // A duplicate channel on its way out carries nothing.
        guard activeChannel(to: unit) === handler else { return }
        do {
            switch message {
            case .routeAdvertisement(let advertisement):
                perform(try table.received(advertisement, from: unit, now: now))
            case .routeWithdrawal(let withdrawal):
                perform(try table.received(withdrawal, from: unit, now: now))
            case .exportsUpdate(let update):
                guard relation != .downstream else { return }
                for service in update.services { exportsFrom[unit, default: [:]][service.sid] = service }
                forwardDefinitions(of: update.services.compactMap { table.route(to: $0.sid) })
                publishRemoteServices()
            case .event:
                // Events flow up (and across peers): a unit above has no events for us.
                guard relation != .upstream else {
                    core.refused(.eventFromAbove(from: unit.rawValue))
                    return
                }
                core.received(message, from: unit, now: now)
                return
            case .eventReturn:
                core.received(message, from: unit, now: now)
                return
            case .exportsRequest, .exportsReply:
                return
            }
        } catch {
            active[unit] = nil
            handler.refuse(error.description)
        }
    }

    func channelDown(_ unit: UnitID, on handler: UnitChannelHandler) {
        guard active[unit] === handler else { return }
        let relation = handler.remote?.relation
        active[unit] = nil
        exportsFrom[unit] = nil
        perform(table.channelDown(unit, now: .now()))
        if relation == .downstream { core.unitGone(unit) }
    }

    // MARK: Inspection

    var routes: [Route] { table.routes.keys.sorted().compactMap { table.route(to: $0) } }

    func definition(of route: Route) -> ExportedService? {
        guard let nextHop = route.nextHop else { return hosted[route.sid] }
        return exportsFrom[nextHop]?[route.sid]
    }

    var adjacencies: [(identity: UnitIdentity, relation: ChannelRelation)] {
        active.keys.sorted().compactMap { active[$0]?.remote }
    }

    var counters: RouteTableCounters { table.counters }

    // MARK: Actions

    private func perform(_ actions: [RouteTableAction]) {
        var reachable: [Route] = []
        for case .routeChanged(let sid, let route) in actions {
            logger.debug(
                "route changed",
                metadata: [
                    "sid": "\(sid)",
                    "route": "\(route.map { "\($0.nextHop.map { "\($0)" } ?? "local")/\($0.hops)" } ?? "none")",
                ])
            if let route { reachable.append(route) }
        }
        // Definitions go out before the routes that name them.
        forwardDefinitions(of: reachable)
        for case .send(let message, let unit) in actions {
            active[unit]?.send(message)
        }
        if !reachable.isEmpty || actions.contains(where: { if case .routeChanged = $0 { true } else { false } }) {
            publishRemoteServices()
        }
    }

    /// The services above, as the dispatcher needs them: every route through a neighbour whose
    /// definition has arrived, with that neighbour as next hop.
    private func publishRemoteServices() {
        var services: [RemoteService] = []
        for (sid, route) in table.routes {
            guard let nextHop = route.nextHop, let definition = exportsFrom[nextHop]?[sid] else { continue }
            services.append(RemoteService(definition: definition, nextHop: nextHop))
        }
        core.remoteServicesChanged(services)
    }

    /// Sends the definitions of these routes to every neighbour that may see them.
    private func forwardDefinitions(of routes: [Route]) {
        guard !routes.isEmpty else { return }
        for unit in active.keys.sorted() {
            guard let handler = active[unit], let relation = handler.remote?.relation, relation != .upstream else {
                continue
            }
            let services = routes.filter { RouteTable.isVisible($0, to: unit, relation: relation) }.compactMap(
                definition(of:))
            guard !services.isEmpty else { continue }
            for part in Exports.parts(unit: identity, services: services) { handler.send(.exportsUpdate(part)) }
        }
    }
}
