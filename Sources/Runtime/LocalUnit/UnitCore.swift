import ControlPlane
import Foundation
import Logging
import NIOCore
import OpenFlow
import UnitProtocol

/// The unit's state on its event loop: the pure `UnitController` plus the live switch
/// channels it sends through, and the neighbour units whose channels carry events up and
/// returns down. Every call happens on that one loop, so events from each switch are handled
/// in order and no state is shared across threads.
final class UnitCore: ControllerOutput {
    private var controller: UnitController
    /// Channels by DPID: where the controller's messages go. Kept apart from the controller,
    /// which must not be read while it is handling an event.
    private var channelsByDatapath: [DatapathID: SwitchChannelHandler] = [:]
    private var openChannels: [ConnectionID: SwitchChannelHandler] = [:]
    /// The channel the last message went to. Answers mostly go to the switch whose read burst
    /// is being handled, one after another, so this saves hashing its DPID for each of them.
    private var lastChannel: (datapathID: DatapathID, handler: SwitchChannelHandler)?
    private var pendingFlush: [SwitchChannelHandler] = []
    private let logger: Logger
    let eventLoop: any EventLoop
    private(set) var malformedMessages = 0
    /// FLOW_MODs written to switches: the unit's own, its services', and those services above sent.
    private(set) var flowModsSent = 0
    private(set) var undeliverable = 0
    /// Where unit messages go; set once the neighbour units exist (they hold this core, and
    /// whoever made both keeps them for as long as this one serves). Unowned, not weak: a weak
    /// reference gives the object a side table, which sends every retain and release of it,
    /// several per event and return, down the runtime's slow path.
    unowned var neighbours: NeighbourUnits?
    /// Whether a channel to a unit this one sends events to has more unwritten than its limit
    /// (set by `NeighbourUnits`).
    var upwardBacklogged = false
    private var rejectionLog = RejectionLog()
    private var switchRefusals = RejectionLog()

    init(
        services: [any HostedService], serving: [ServiceID: any HostedService], hosts: HostTracker,
        links: LinkDiscovery,
        identity: UnitIdentity, dispatch: DispatchSettings, probeKey: [UInt8]? = nil, eventLoop: any EventLoop,
        logger: Logger
    ) {
        self.controller = UnitController(
            services: services, hosts: hosts, links: links, domain: identity.uid, serving: serving, dispatch: dispatch,
            probeKey: probeKey)
        self.eventLoop = eventLoop
        self.logger = logger
        readWallClock(now: .now())
    }

    /// Tells the controller the wall-clock time (its probes carry it).
    private func readWallClock(now: NIODeadline) {
        let microseconds = UInt64(max(0, Date().timeIntervalSince1970 * 1_000_000))
        controller.setWallClock(microseconds: microseconds, at: now)
    }

    var dispatcher: EventDispatcher { controller.dispatcher }
    var serviceStatistics: [(name: String, statistics: [String: Int])] { controller.serviceStatistics }
    var hostTracker: HostTracker { controller.hosts }
    var servicesHostMap: [KnownHost]? { controller.servicesHostMap }

    var switchCount: Int { channelsByDatapath.count }
    var hostCount: Int { controller.hosts.count }
    var switchRegistry: SwitchRegistry { controller.switches }
    var linkCount: Int { controller.links.links.count }
    var topologySnapshot: TopologySnapshot {
        TopologySnapshot(
            topology: controller.topology, hosts: controller.hosts.hosts, domainEdges: controller.domainEdges)
    }
    var counters: UnitCounters { controller.counters }

    func channelOpened(_ handler: SwitchChannelHandler) {
        guard let id = handler.id else { return }
        openChannels[id] = handler
    }

    func channelClosed(_ handler: SwitchChannelHandler) {
        guard let id = handler.id else { return }
        openChannels[id] = nil
    }

    /// Whether a line about a refused switch connection is written now: at most one a second
    /// for each reason (a flood of bad certificates or impostors writes a line a second, with a
    /// count); nil when not, otherwise how many were left out since the last line.
    func shouldLogSwitchRefusal(_ reason: String, now: NIODeadline) -> Int? {
        switchRefusals.shouldLog(reason, now: now)
    }

    /// The channel that holds a switch's DPID, when it is another than `handler` and still live
    /// (a closed channel not yet reported gone is replaced, as before).
    func liveChannel(holding datapathID: DatapathID, besides handler: SwitchChannelHandler) -> SwitchChannelHandler? {
        guard let holder = channelsByDatapath[datapathID], holder !== handler, holder.datapathID == datapathID else {
            return nil
        }
        return holder
    }

    func switchReady(_ description: SwitchDescription, on handler: SwitchChannelHandler, now: NIODeadline) {
        guard let id = handler.id else { return }
        channelsByDatapath[description.datapathID] = handler
        sessions[description.datapathID] = SwitchSession(connectedSince: Date(), address: handler.remoteAddress)
        lastChannel = nil
        if let replaced = controller.switchConnected(description, on: id, now: now, sink: self) {
            openChannels[replaced]?.closeReplaced()
        }
    }

    func switchGone(_ datapathID: DatapathID, on handler: SwitchChannelHandler, now: NIODeadline) {
        guard let id = handler.id else { return }
        if channelsByDatapath[datapathID] === handler { controller.inputGone(.switchChannel(datapathID)) }
        if channelsByDatapath[datapathID] === handler {
            channelsByDatapath[datapathID] = nil
            sessions[datapathID] = nil
        }
        for (xid, request) in flowRequests where request.datapathID == datapathID {
            flowRequests.removeValue(forKey: xid)?.promise.fail(FlowTableError.notConnected(datapathID))
        }
        lastChannel = nil
        controller.switchDisconnected(datapathID, on: id, now: now, sink: self)
        flushPending()
    }

    func received(_ message: OpenFlowMessage, from datapathID: DatapathID, now: NIODeadline) {
        if !flowRequests.isEmpty, case .statsReply(let reply) = message.body,
            flowRequests[message.xid]?.datapathID == datapathID
        {
            flowStatsArrived(reply, xid: message.xid)
            return
        }
        controller.received(message, from: datapathID, now: now, sink: self)
    }

    /// When and from where each connected switch connected.
    private(set) var sessions: [DatapathID: SwitchSession] = [:]

    // MARK: Static flows, for the admin API

    var staticFlows: StaticFlowTable { controller.staticFlows }

    func pushStaticFlow(_ flow: StaticFlow) -> StaticFlowChange {
        let change = controller.pushStaticFlow(flow, sink: self)
        logStaticFlowChange(change, pushed: flow)
        flushPending()
        return change
    }

    func removeStaticFlow(named name: String) -> StaticFlowChange? {
        let change = controller.removeStaticFlow(named: name, sink: self)
        if let change { logStaticFlowChange(change, pushed: nil) }
        flushPending()
        return change
    }

    func clearStaticFlows(on datapathID: DatapathID?) -> StaticFlowChange {
        let change = controller.clearStaticFlows(on: datapathID, sink: self)
        logStaticFlowChange(change, pushed: nil)
        flushPending()
        return change
    }

    private func logStaticFlowChange(_ change: StaticFlowChange, pushed: StaticFlow?) {
        if let pushed {
            logger.info(
                "static flow pushed",
                metadata: [
                    "flow": "\(pushed.name)", "switch": "\(pushed.datapathID)", "priority": "\(pushed.priority)",
                    "match": "\(pushed.match)", "actions": "\(pushed.actions.actionsDescription)",
                    "installed": "\(pushed.active && switchRegistry.connection(for: pushed.datapathID) != nil)",
                ])
        }
        for name in change.displaced {
            logger.info("static flow replaced: another took its match and priority", metadata: ["flow": "\(name)"])
        }
        for name in change.removed { logger.info("static flow removed", metadata: ["flow": "\(name)"]) }
        for name in change.reinstalled {
            logger.info("static flow deleted on its switch by another; installed again", metadata: ["flow": "\(name)"])
        }
    }

    // MARK: Flow tables, for the admin API

    /// Asks a switch for its whole flow table (OFPST_FLOW, every table, every flow); the answer
    /// may come in several replies. Fails when the switch is not connected, goes, or does not
    /// answer within `timeout`.
    func flowTable(of datapathID: DatapathID, timeout: TimeAmount = .milliseconds(5000)) -> EventLoopFuture<[FlowStats]>
    {
        let promise = eventLoop.makePromise(of: [FlowStats].self)
        guard let handler = channelsByDatapath[datapathID] else {
            promise.fail(FlowTableError.notConnected(datapathID))
            return promise.futureResult
        }
        nextStatsXID = nextStatsXID == UInt32.max ? Self.firstStatsXID : nextStatsXID + 1
        let xid = nextStatsXID
        flowRequests[xid] = (datapathID, [], promise)
        handler.send(OpenFlowMessage(xid: xid, .statsRequest(StatsRequest(.flow(FlowStatsRequest())))))
        handler.flush()
        let core = NIOLoopBound(self, eventLoop: eventLoop)
        eventLoop.scheduleTask(in: timeout) {
            core.value.flowRequests.removeValue(forKey: xid)?.promise.fail(FlowTableError.noAnswer(datapathID))
        }
        return promise.futureResult
    }

    private func flowStatsArrived(_ reply: StatsReply, xid: UInt32) {
        guard case .flow(let entries) = reply.body else {
            flowRequests.removeValue(forKey: xid)?.promise.fail(FlowTableError.unexpectedReply(reply.type))
            return
        }
        flowRequests[xid]?.entries += entries
        guard !reply.flags.contains(.more), let done = flowRequests.removeValue(forKey: xid) else { return }
        done.promise.succeed(done.entries)
    }

    /// Flow-table requests waiting for their switch's replies, by the xid they were sent with
    /// (from a range of their own, so the controller's messages never share one).
    private var flowRequests:
        [UInt32: (datapathID: DatapathID, entries: [FlowStats], promise: EventLoopPromise<[FlowStats]>)] = [:]
    private static let firstStatsXID: UInt32 = 0xF000_0000
    private var nextStatsXID = UnitCore.firstStatsXID

    /// An event or a return from a neighbouring unit. What it causes is written when the unit
    /// channel's read burst ends (`flushPending`), in one write per channel.
    func received(_ message: UnitMessage, from peer: UnitChannelPeer, now: NIODeadline) {
        controller.received(message, from: peer.uid, clock: peer.clock, now: now, sink: self)
    }

    func refused(_ rejection: DispatchRejection) {
        controller.refused(rejection, sink: self)
    }

    func remoteServicesChanged(_ services: [RemoteService]) {
        for error in controller.remoteServicesChanged(services, now: .now(), sink: self) {
            logger.warning("filter of a service above not installed: \(error)")
        }
        flushPending()
    }

    func unitGone(_ unit: UnitID) {
        controller.unitGone(unit, now: .now())
        controller.inputGone(.unit(unit))
    }

    // MARK: Backpressure

    /// An input's read burst ended: whether to stop reading it. One call into the controller,
    /// which answers at once while no service is above and nothing is paused (a lone unit).
    func shouldPause(_ input: EventOrigin) -> Bool {
        switch controller.readEnded(from: input, upwardBacklogged: self.upwardBacklogged) {
        case .keepReading:
            return false
        case .pause:
            return true
        case .pauseBeginningOverload:
            if overload == nil { overloadStarted(by: input) } else { calmSince = nil }
            return true
        }
    }

    /// The overload episode under way: when it started, and the counts then.
    private var overload: (since: NIODeadline, shed: Int, pauses: Int)?
    /// Since when nothing has been paused, during an episode.
    private var calmSince: NIODeadline?
    /// How long nothing may be paused before an episode is over: a switch that keeps reaching
    /// its window is paused and resumed many times a second, and that is one episode.
    static let overloadCalmPeriod = TimeAmount.seconds(Int64(1))

    /// One line when inputs start being paused, one when nothing has been paused for
    /// `overloadCalmPeriod`: an episode, not a line per event or per pause.
    private func overloadStarted(by input: EventOrigin) {
        overload = (.now(), controller.dispatcher.counters.shed, controller.backpressure.pauses)
        let why =
            controller.backpressure.congested
            ? "the tables or the channels up are full" : "\(input) has its window open above"
        logger.warning(
            "overload: reading paused, \(why)",
            metadata: [
                "open": "\(controller.dispatcher.openTransactions)", "parked": "\(controller.dispatcher.parked.count)",
            ])
    }

    private func overloadEnded(calmSince: NIODeadline) {
        guard let overload else { return }
        self.overload = nil
        self.calmSince = nil
        let seconds = Double((calmSince - overload.since).nanoseconds) / 1e9
        let shed = controller.dispatcher.counters.shed - overload.shed
        let pauses = controller.backpressure.pauses - overload.pauses
        logger.warning(
            "overload over after \(String(format: "%.3f", seconds)) s: \(pauses) pauses of reading, \(shed) events shed"
        )
    }

    /// Room may have freed: the paused inputs that may be read again are, in the order they
    /// were paused.
    func resumeInputs() {
        guard !controller.backpressure.isIdle else { return }
        for input in controller.inputsToResume(upwardBacklogged: upwardBacklogged) {
            switch input {
            case .switchChannel(let datapathID): channelsByDatapath[datapathID]?.resumeReading()
            case .unit(let unit): neighbours?.resumeReading(from: unit)
            }
        }
        if controller.backpressure.isIdle, overload != nil, calmSince == nil { calmSince = .now() }
    }

    func tick() {
        let now = NIODeadline.now()
        readWallClock(now: now)
        for handler in openChannels.values { handler.tick(now: now) }
        controller.tick(now: now, sink: self)
        resumeInputs()
        if let calmSince, controller.backpressure.isIdle, now - calmSince >= Self.overloadCalmPeriod {
            overloadEnded(calmSince: calmSince)
        }
        flushPending()
    }

    /// The operator asked for a reload (SIGHUP).
    func reloadServices() {
        controller.reloadServices(now: .now(), sink: self)
        flushPending()
    }

    func countMalformed() { malformedMessages += 1 }

    /// The unit's counters and levels now, for `/metrics`.
    var metricsSnapshot: UnitMetricsSnapshot {
        let dispatcher = controller.dispatcher
        return UnitMetricsSnapshot(
            unit: controller.counters, dispatch: dispatcher.counters, parked: dispatcher.parked.counters,
            parkedNow: dispatcher.parked.count, openTransactions: dispatcher.openTransactions,
            services: controller.serviceStatistics.map {
                UnitMetricsSnapshot.ServiceStatistics(name: $0.name, values: $0.statistics)
            },
            switches: channelsByDatapath.count,
            switchesInHandshake: max(0, openChannels.count - channelsByDatapath.count),
            hosts: controller.hosts.count, links: controller.links.links.count,
            staticFlows: controller.staticFlows.count,
            flowModsSent: flowModsSent, malformedMessages: malformedMessages, undeliverable: undeliverable,
            roundTrips: dispatcher.roundTrips)
    }

    // MARK: SwitchMessageSink

    func send(_ body: OpenFlowMessage.Body, to datapathID: DatapathID) {
        if case .flowMod = body { flowModsSent += 1 }
        channel(to: datapathID)?.send(body)
    }

    func send(_ message: OpenFlowMessage, to datapathID: DatapathID) {
        if case .flowMod = message.body { flowModsSent += 1 }
        channel(to: datapathID)?.send(message)
    }

    func forward(_ messages: EventReturn.SwitchMessageList, xid: UInt32?) {
        if let datapathID = messages.soleDatapathID {
            flowModsSent &+= channel(to: datapathID)?.forward(messages, xid: xid) ?? 0
        } else {
            for message in messages {
                guard let handler = channel(to: message.datapathID) else { continue }
                if message.isFlowMod { flowModsSent &+= 1 }
                handler.forward(message, xid: xid)
            }
        }
    }

    /// The switch's channel; nil (and counted) when the switch is gone.
    private func channel(to datapathID: DatapathID) -> SwitchChannelHandler? {
        if let lastChannel, lastChannel.datapathID == datapathID { return lastChannel.handler }
        guard let handler = channelsByDatapath[datapathID] else {
            undeliverable += 1
            return nil
        }
        lastChannel = (datapathID, handler)
        return handler
    }

    func send(_ message: UnitMessage, to unit: UnitID) {
        neighbours?.send(message, to: unit)
    }

    func sendEvent(_ event: NetworkEvent, _ send: EventSend, domain: UnitID) {
        neighbours?.send(to: send.unit) {
            event.writeEscalated(
                transaction: send.transaction, sid: send.sid, domain: domain, deadline: send.deadline, to: &$0, xid: $1)
        }
    }

    func sendReturn(
        transaction: UInt32, sid: ServiceID, verdict: ReturnVerdict, messages: EventReturn.SwitchMessageList,
        bypass: [MACAddress], context: [ContextEntry], to unit: UnitID
    ) {
        neighbours?.send(to: unit) {
            UnitMessage.writeReturn(
                transaction: transaction, sid: sid, verdict: verdict, messages: messages, bypass: bypass,
                context: context, to: &$0, xid: $1)
        }
    }

    /// Ports, with the kind of warning, already logged: one line per port and kind, however
    /// many probes or reports.
    private var topologyWarningsLogged: Set<TopologyWarningKey> = []

    struct TopologyWarningKey: Hashable {
        var port: HostLocation
        var kind: String
    }

    func topologyWarning(_ warning: TopologyWarning, at port: HostLocation) {
        if case .linkSuppressed = warning {
            // Rare, and each one matters to whoever looks for a flapping cable.
            logger.warning("link discovery: \(warning)")
            return
        }
        guard topologyWarningsLogged.insert(TopologyWarningKey(port: port, kind: warning.kind)).inserted else { return }
        logger.warning("link discovery: \(warning.line(at: port)) (said once per port)")
    }

    func rejected(_ rejection: DispatchRejection) {
        guard let suppressed = rejectionLog.shouldLog(rejection.kind, now: .now()) else { return }
        let more = suppressed > 0 ? " (\(suppressed) more like it since the last line)" : ""
        logger.warning("rejected: \(rejection)\(more)")
    }

    func needsFlush(_ handler: SwitchChannelHandler) {
        pendingFlush.append(handler)
    }

    private var switchFlushScheduled = false

    /// A channel's read burst ended: what it caused is written. A lone message is answered at
    /// once, so a lightly loaded switch waits for nothing; a burst means messages arrive faster
    /// than they are answered, and then `flushAfterReads` holds switch answers to the end of
    /// the loop's round.
    func readBurstEnded(length: Int) {
        if length > 1 { flushAfterReads() } else { flushPending() }
    }

    /// What a burst of several messages caused. Events and returns for other units are written
    /// once a batch of them waits (`NeighbourUnits.batchSize`), and the rest at the end of the
    /// loop's round: the unit above starts on a batch while this one reads the next switch, and
    /// each write carries a few switches' bursts: writing after every burst spends tier 1's time
    /// in system calls, and holding everything to the round's end leaves tier 2 idle
    /// (docs/benchmarks.md, "Batching writes between units"). Switch answers are written once
    /// the event loop has handled every channel readable in this round: under load the
    /// switches' ends then wake once per round rather than once per channel; a lone request is
    /// not held back, since waiting would only add to its latency (docs/benchmarks.md, "Switch
    /// answers held to the end of the loop's round").
    private func flushAfterReads() {
        neighbours?.flushIfBatchWaits()
        guard !pendingFlush.isEmpty || neighbours?.hasPending == true, !switchFlushScheduled else { return }
        switchFlushScheduled = true
        eventLoop.assumeIsolated().execute { [self] in
            switchFlushScheduled = false
            flushPending()
        }
    }

    func flushPending() {
        neighbours?.flushPending()
        guard !pendingFlush.isEmpty else { return }
        let handlers = pendingFlush
        pendingFlush.removeAll(keepingCapacity: true)
        for handler in handlers { handler.flush() }
    }

    func closeAll() {
        for handler in openChannels.values { handler.close() }
    }
}

/// A switch's current connection, as the admin API reports it.
struct SwitchSession: Sendable {
    var connectedSince: Date
    var address: SocketAddress?
}
