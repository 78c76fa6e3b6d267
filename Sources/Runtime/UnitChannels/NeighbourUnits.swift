import ConfigurationFiles
import ControlPlane
import Logging
import NIOCore
import UnitProtocol

/// This unit's channels to its neighbour units, on its event loop. The pure `ServiceRouter`
/// decides everything about routing, including which channel carries each neighbour; this
/// keeps the channels, performs the router's actions, carries events and returns between the
/// channels and the unit's core, and batches what goes out.
final class NeighbourUnits {
    let eventLoop: any EventLoop
    private var router: ServiceRouter
    /// The channel the router bound to each neighbour (`ServiceRouterAction.bind`).
    private var bound: [UnitID: UnitChannelHandler] = [:] {
        didSet { lastBound = nil }
    }
    /// The neighbour the last event or return went to or came from, with its channel: nearly
    /// all of them are to and from one unit (the one above), which saves hashing its UID for
    /// each. Forgotten whenever `bound` changes.
    private var lastBound: (unit: UnitID, handler: UnitChannelHandler)?
    /// Every open channel, handshake finished or not.
    private var open: [UnitChannelID: UnitChannelHandler] = [:]
    private var lastChannelID: UInt = 0
    /// What each dialer is doing, by the neighbour's name in the topology.
    private(set) var dialing: [String: DialerState] = [:]
    private let logger: Logger
    /// This unit's switch side, which matches events and serves and relays them.
    let local: UnitCore
    /// Channels with unit messages waiting for the end of the current burst, and how many wait.
    private var pendingFlush: [UnitChannelHandler] = []
    private var enqueuedSinceFlush = 0
    /// Unit messages for a unit with no channel (it went away while its events were on their way).
    private(set) var undeliverable = 0
    /// Channels to units this one sends events to (upstream, peers) with more unwritten than
    /// their limit: while there is one, inputs are paused (`Backpressure`). The core keeps
    /// whether there is one, since it asks after every message a switch sends.
    private var backlogged: Set<UnitChannelID> = [] {
        didSet { local.upwardBacklogged = !backlogged.isEmpty }
    }

    /// One log line a second at most for each reason channels are refused before their handshake.
    private var refusals = RejectionLog()

    /// Nil when a refusal for `reason` is not to be logged now; otherwise how many were not since the last line.
    func shouldLogRefusal(_ reason: String, now: NIODeadline) -> Int? {
        refusals.shouldLog(reason, now: now)
    }

    /// A configured neighbour as its dialer sees it.
    struct DialerState {
        var address: SocketAddressSpec
        var relation: ChannelRelation
        /// connecting, connected, or retrying (with the reason).
        var state: String
        var reached: UnitID?
    }

    init(
        identity: UnitIdentity, hosted: [ExportedService], maximumServices: Int = 10_000, local: UnitCore,
        eventLoop: any EventLoop, logger: Logger
    ) {
        self.local = local
        self.eventLoop = eventLoop
        self.logger = logger
        self.router = ServiceRouter(identity: identity, hosted: hosted, maximumServices: maximumServices, now: .now())
    }

    var identity: UnitIdentity { router.identity }

    // MARK: Channels

    /// A channel opened: it gets the ID the router knows it by.
    func opened(_ handler: UnitChannelHandler) -> UnitChannelID {
        lastChannelID += 1
        let id = UnitChannelID(rawValue: lastChannelID)
        open[id] = handler
        return id
    }

    func closed(_ id: UnitChannelID) {
        open[id] = nil
        if backlogged.remove(id) != nil { local.resumeInputs() }
    }

    func hasChannel(to unit: UnitID) -> Bool { bound[unit] != nil }

    func dialer(_ name: String, is state: DialerState) { dialing[name] = state }

    func tick(now: NIODeadline) {
        for handler in open.values { handler.tick(now: now) }
    }

    func closeAll() {
        for handler in open.values { handler.close() }
    }

    func established(
        _ handler: UnitChannelHandler, remote: UnitIdentity, relation: ChannelRelation, dialer: UnitID?,
        exports: [ExportedService]
    ) {
        perform(
            router.established(
                handler.id, remote: remote, relation: relation, dialer: dialer, exports: exports, now: .now()))
    }

    func channelDown(_ unit: UnitID, on handler: UnitChannelHandler) {
        perform(router.channelDown(unit, on: handler.id, now: .now()))
    }

    /// A unit message an established channel read from `peer`.
    func received(_ message: UnitMessage, from peer: UnitChannelPeer, on handler: UnitChannelHandler, now: NIODeadline)
    {
        // A duplicate channel on its way out carries nothing.
        guard boundChannel(to: peer.uid) === handler else { return }
        switch ServiceRouter.destination(of: message.type, from: peer.uid, relation: peer.relation) {
        case .dispatcher:
            local.received(message, from: peer, now: now)
        case .router:
            perform(router.received(message, from: peer.uid, on: handler.id, now: now))
        case .refused(let rejection):
            local.refused(rejection)
        }
    }

    /// A unit channel's read burst ended: a unit below or beside that sent more than this unit
    /// can take is paused; answers that came in may have made room for paused inputs; and what
    /// the burst caused is written.
    func readBurstEnded(length: Int, on handler: UnitChannelHandler) {
        if let peer = handler.peer, peer.relation != .upstream, boundChannel(to: peer.uid) === handler,
            local.shouldPause(.unit(peer.uid))
        {
            handler.pauseReading()
        }
        local.resumeInputs()
        local.readBurstEnded(length: length)
    }

    /// A channel's writability changed (NIO's write-buffer water marks).
    func writabilityChanged(_ handler: UnitChannelHandler, writable: Bool) {
        if writable {
            guard backlogged.remove(handler.id) != nil else { return }
            local.resumeInputs()
        } else if let relation = handler.peer?.relation, relation != .downstream {
            backlogged.insert(handler.id)
        }
    }

    func resumeReading(from unit: UnitID) {
        bound[unit]?.resumeReading()
    }

    /// What a neighbour may see: the definitions of the routes visible to it.
    func exports(to unit: UnitID, relation: ChannelRelation) -> [ExportedService] {
        router.exports(to: unit, relation: relation)
    }

    // MARK: Events and returns out

    /// Sends an event or a return; written at the end of the current burst.
    func send(_ message: UnitMessage, to unit: UnitID) {
        send(to: unit) { message.write(to: &$0, xid: $1) }
    }

    /// Sends what `write` appends (one whole unit message, with the xid it is given) to the unit.
    func send(to unit: UnitID, _ write: (inout ByteBuffer, UInt32) -> Void) {
        guard let handler = boundChannel(to: unit) else {
            undeliverable += 1
            return
        }
        if handler.enqueue(write) { pendingFlush.append(handler) }
        enqueuedSinceFlush += 1
    }

    private func boundChannel(to unit: UnitID) -> UnitChannelHandler? {
        if let lastBound, lastBound.unit == unit { return lastBound.handler }
        guard let handler = bound[unit] else { return nil }
        lastBound = (unit, handler)
        return handler
    }

    /// Whether unit messages wait to be written.
    var hasPending: Bool { !pendingFlush.isEmpty }

    /// Unit messages written in one go under load: a few switches' bursts, so that the unit
    /// above starts on a batch while this one reads the next switch, without a system call per
    /// burst (docs/benchmarks.md, "Batching writes between units").
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

    // MARK: Inspection

    var routes: [Route] { router.routes }

    func definition(of route: Route) -> ExportedService? { router.definition(of: route) }

    var adjacencies: [ServiceRouter.Neighbour] { router.adjacencies }
    var routerSnapshot: ServiceRouter { router }

    var counters: RouteTableCounters { router.counters }

    // MARK: The router's actions

    private func perform(_ actions: [ServiceRouterAction]) {
        for action in actions {
            switch action {
            case .bind(let unit, let channel):
                bound[unit] = open[channel]
            case .unbind(let unit):
                bound[unit] = nil
            case .closeDuplicate(let channel):
                open[channel]?.closeDuplicate()
            case .refuse(let channel, let reason):
                open[channel]?.refuse(reason)
            case .send(let message, let unit):
                bound[unit]?.send(message)
            case .routeChanged(let sid, let route):
                // One line per change of every route, as for every channel: an operator follows
                // the control plane's state from the log alone.
                logger.info(
                    "route changed",
                    metadata: [
                        "sid": "\(sid)",
                        "route": "\(route.map { "\($0.nextHop.map { "\($0)" } ?? "local")/\($0.hops)" } ?? "none")",
                    ])
            case .servicesAboveChanged(let services):
                local.remoteServicesChanged(services)
            case .downstreamGone(let unit):
                local.unitGone(unit)
            }
        }
    }
}
