import NIOCore
import OpenFlow
import Packets
import UnitProtocol

/// The pure core of a unit: it takes what its switch channels and unit channels report and the
/// time, keeps the switch registry, the host tracker and the discovered links, runs the local
/// services and the dispatcher's stage for the services above, serves events sent up to the
/// services it hosts, and sends what all of them answer through a `ControllerOutput`. The
/// runtime owns one and calls it on one thread; a test calls it with plain values.
public struct UnitController {
    public typealias Connection = ConnectionID
    public private(set) var switches = SwitchRegistry()
    public private(set) var hosts: HostTracker
    public private(set) var links: LinkDiscovery
    /// The domain's switches and the links between them, as discovery holds them.
    public private(set) var topology = TopologyGraph()
    /// Ports where genuine probes from other units' switches arrive, with where they came from.
    public private(set) var domainEdges: [HostLocation: DomainEdge] = [:]
    /// Keeps links that flap out of the tree and of every path.
    public private(set) var damping = LinkDamping()
    /// The flows operators pushed through the admin API.
    public private(set) var staticFlows = StaticFlowTable()
    /// Signs this unit's probes and checks the ones that arrive.
    private var probes: ProbeAuthenticator
    /// The wall clock, as last reported with the monotonic time it was read at: probes carry
    /// wall-clock time, since they cross units.
    private var wallClock: (microseconds: UInt64, at: NIODeadline)?
    public let chain: ProcessChain
    public private(set) var counters = UnitCounters()
    public private(set) var dispatcher: EventDispatcher
    /// When to stop reading a switch or a unit below, and when to read it again.
    public private(set) var backpressure: Backpressure
    /// What the dispatcher produced, reused for every call, so that dispatching allocates no
    /// list of actions or of copies sent up.
    private var output = DispatchOutput()
    /// The hosted services units below may send events to, by SID.
    private let serving: [ServiceID: any HostedService]
    /// Gathers what a hosted service answers to an event from below (one, reused).
    private let collector = ReturnCollector()
    /// Every service this unit runs, locally or for units below, once each, in priority order:
    /// those ticked, reloaded and shown (known when the unit is made, not looked for each tick).
    private let allServices: [any HostedService]

    public init(
        services: [any HostedService], hosts: HostTracker = HostTracker(), links: LinkDiscovery = LinkDiscovery(),
        domain: UnitID = UnitID(1), serving: [ServiceID: any HostedService] = [:],
        dispatch: DispatchSettings = DispatchSettings(), probeKey: [UInt8]? = nil
    ) {
        self.chain = ProcessChain(services: services)
        self.hosts = hosts
        self.links = links
        self.probes = ProbeAuthenticator(unit: domain, key: probeKey ?? ProbeAuthenticator.randomKey())
        self.serving = serving
        var seen = Set<ObjectIdentifier>()
        self.allServices = (chain.services + serving.values.sorted { $0.priority > $1.priority }).filter {
            seen.insert(ObjectIdentifier($0)).inserted
        }
        self.dispatcher = EventDispatcher(domain: domain, hosted: Set(serving.keys), settings: dispatch)
        self.backpressure = Backpressure(window: dispatch.switchWindow)
    }

    // MARK: Time

    /// The wall clock now (microseconds since the Unix epoch), read with the monotonic `now`:
    /// later times are told from the monotonic clock, so that only the runtime reads clocks.
    public mutating func setWallClock(microseconds: UInt64, at now: NIODeadline) {
        wallClock = (microseconds, now)
    }

    /// The wall-clock time at `now`; before the runtime has said, the monotonic clock stands in
    /// (one unit on its own, as in a test, only compares its own times).
    private func wallMicroseconds(at now: NIODeadline) -> UInt64 {
        guard let wallClock else { return now.uptimeNanoseconds / 1000 }
        let elapsed = (now - wallClock.at).nanoseconds / 1000
        return UInt64(clamping: Int64(clamping: wallClock.microseconds) &+ elapsed)
    }

    // MARK: Backpressure

    /// What the end of an input's read means for reading it on.
    public enum ReadPause: Sendable {
        case keepReading
        case pause
        /// Paused, and nothing was paused before: an overload episode begins.
        case pauseBeginningOverload
    }

    /// An input's read (a message, or a burst) ended: whether the caller stops reading it until
    /// `inputsToResume` names it. A unit that sends nothing up and has nothing paused answers
    /// at once, without asking whether a channel up is backlogged.
    public mutating func readEnded(from input: EventOrigin, upwardBacklogged: @autoclosure () -> Bool) -> ReadPause {
        let wasIdle = backpressure.isIdle
        guard !dispatcher.remote.isEmpty || !wasIdle,
            backpressure.burstEnded(
                from: input, open: dispatcher.openTransactions(from: input), load: load(upwardBacklogged()))
        else { return .keepReading }
        return wasIdle ? .pauseBeginningOverload : .pause
    }

    /// The paused inputs that may be read again now, in the order they were paused (after
    /// answers arrived, transactions expired or a channel up drained).
    public mutating func inputsToResume(upwardBacklogged: Bool) -> [EventOrigin] {
        guard !backpressure.isIdle else { return [] }
        let dispatcher = self.dispatcher
        return backpressure.roomMayHaveFreed(
            open: { dispatcher.openTransactions(from: $0) }, load: load(upwardBacklogged))
    }

    /// A switch or a unit below is gone: it is no longer paused.
    public mutating func inputGone(_ input: EventOrigin) {
        backpressure.inputGone(input)
    }

    private func load(_ upwardBacklogged: Bool) -> Backpressure.Load {
        Backpressure.Load(
            transactions: dispatcher.openTransactions, transactionCapacity: dispatcher.settings.transactionCapacity,
            parked: dispatcher.parked.count, parkedCapacity: dispatcher.settings.parkedCapacity,
            upwardBacklogged: upwardBacklogged)
    }

    /// A switch finished its handshake. Returns the connection it replaces, which the caller closes.
    public mutating func switchConnected(
        _ description: SwitchDescription, on connection: Connection, now: NIODeadline, sink: some ControllerOutput
    ) -> Connection? {
        let replaced = switches.register(description, on: connection)
        if replaced != nil {
            // The old channel's switch is this one; its state goes with it before the new one starts.
            dispatch(.switchRemoved(description.datapathID), now: now, sink: sink)
            forget(description.datapathID, now: now, sink: sink)
        }
        topology.addSwitch(description.datapathID)
        counters.switchesConnected += 1
        sink.send(OpenFlowMessage(xid: 0, .flowMod(LinkDiscovery.interceptFlow)), to: description.datapathID)
        for flowMod in staticFlows.installations(on: description.datapathID) {
            sink.send(OpenFlowMessage(xid: 0, .flowMod(flowMod)), to: description.datapathID)
        }
        dispatch(.switchAdded(description), now: now, sink: sink)
        sendProbes(for: description, now: now, sink: sink)
        return replaced
    }

    /// A switch channel closed.
    public mutating func switchDisconnected(
        _ datapathID: DatapathID, on connection: Connection, now: NIODeadline, sink: some ControllerOutput
    ) {
        guard switches.remove(datapathID, ifOn: connection) else { return }
        dispatch(.switchRemoved(datapathID), now: now, sink: sink)
        forget(datapathID, now: now, sink: sink)
    }

    /// A message a switch sent (after the handshake).
    public mutating func received(
        _ message: OpenFlowMessage, from datapathID: DatapathID, now: NIODeadline, sink: some ControllerOutput
    ) {
        let xid = message.xid
        switch message.body {
        case .packetIn(let packetIn):
            counters.packetIns += 1
            let match = Match(extractingFrom: packetIn.data, inPort: packetIn.inPort)
            if match.dlType == EtherType.lldp.rawValue {
                learnLink(from: packetIn, on: datapathID, now: now, sink: sink)
                return
            }
            if let deviceEvent = hosts.observe(match, on: datapathID, now: now) {
                dispatch(deviceEvent, now: now, sink: sink)
            }
            dispatch(
                .packetIn(PacketInEvent(datapathID: datapathID, xid: xid, packetIn: packetIn, match: match)), now: now,
                sink: sink)
        case .portStatus(let status):
            let port = HostLocation(datapathID: datapathID, port: status.port.portNumber)
            guard switches.hasPort(port) || status.reason == .add else {
                // A change to, or the loss of, a port the switch never reported: nothing of ours
                // was on it, and no service is told of a port it never saw.
                counters.unknownPortStatus += 1
                sink.topologyWarning(.portStatusForUnknownPort(status.reason), at: port)
                return
            }
            switches.apply(status, to: datapathID)
            if status.leavesPortDown {
                forget(datapathID, port: status.port.portNumber, now: now, sink: sink)
            } else if !topology.isLinkPort(port), let description = switches.description(of: datapathID) {
                // A port that came up may have a switch at its far end: ask now, not at the next round.
                sendProbes(for: description, only: port.port, now: now, sink: sink)
            }
            dispatch(.switchPortChanged(datapathID, status), now: now, sink: sink)
            dispatch(.portStatus(datapathID, status), now: now, sink: sink)
        case .vendor(let vendor):
            dispatch(.vendor(datapathID, vendor), now: now, sink: sink)
        case .flowRemoved(let removed):
            send(staticFlows.flowRemoved(removed, on: datapathID), sink: sink)
        case .error:
            counters.errorsReceived += 1
        default:
            break
        }
    }

    /// Periodic work: probe rounds, link and host expiry.
    public mutating func tick(now: NIODeadline, sink: some ControllerOutput) {
        if links.roundDue(now: now) {
            for datapathID in switches.datapathIDs {
                guard let description = switches.description(of: datapathID) else { continue }
                sendProbes(for: description, now: now, sink: sink)
            }
        }
        for link in links.expire(now: now) {
            hosts.unmarkInfrastructure(link.destination)
            // The graph holds a link while either direction is confirmed.
            let reverse = LinkDiscovery.Link(source: link.destination, destination: link.source)
            if links.links[reverse] == nil {
                removeLink(TopologyLink(link.source, link.destination), now: now, sink: sink)
            }
        }
        for link in damping.release(now: now) where topology.blocked.contains(link) {
            // Steady again: back in the tree and the paths.
            _ = topology.addLink(link)
            dispatch(.linkAdded(DiscoveredLink(link)), now: now, sink: sink)
        }
        let edgeTimeout = links.linkTimeout
        for (port, edge) in domainEdges where now - edge.lastSeen >= edgeTimeout {
            removeDomainEdge(at: port, now: now, sink: sink)
        }
        for event in hosts.expire(now: now) { dispatch(event, now: now, sink: sink) }
        dispatcher.tick(now: now, into: &output)
        performActions(now: now, sink: sink)
        tickServices(now: now, sink: sink)
    }

    // MARK: Unit channels

    /// An event, a return or a command from a neighbouring unit; `clock` reads the deadlines of its events
    /// (without it they are served whatever their deadline).
    public mutating func received(
        _ message: UnitMessage, from unit: UnitID, clock: ClockOffset? = nil, now: NIODeadline,
        sink: some ControllerOutput
    ) {
        switch message {
        case .event(let event):
            counters.eventsFromUnits[event.category.index] += 1
            dispatcher.received(event, from: unit, clock: clock, now: now, into: &output)
            if let request = output.serve.take() { serve(request, now: now, sink: sink) }
        case .eventReturn(let answer):
            let switches = self.switches
            dispatcher.received(
                answer, from: unit, now: now, isLocalSwitch: { switches.isConnected($0) }, into: &output)
            if let delivery = output.delivery.take() { sink.forward(delivery.messages, xid: delivery.xid) }
        case .command(let command):
            let switches = self.switches
            let applied = dispatcher.received(
                command, from: unit, isLocalSwitch: { switches.isConnected($0) }, into: &output)
            let delivery = output.delivery.take()
            if !applied.bypassEnded.isEmpty {
                // Hosts a service above no longer lets through (revoked) are forgotten: no path
                // is laid towards one of them on what was known of it (forwarding forgets it and
                // its flows), and its next frame goes up as a new device, with where it attaches,
                // to be judged again. Before the command's own messages, which have the last
                // word (forwarding's deletions by source would take a drop flow with them).
                for service in chain.services {
                    var context = ServiceContext(now: now, hosts: hosts, sink: sink)
                    service.bypassEnded(applied.bypassEnded, by: command.sid, context: &context)
                }
                for mac in applied.bypassEnded { hosts.forget(mac) }
            }
            if let delivery { sink.forward(delivery.messages, xid: delivery.xid) }
            if !applied.withdrawn.isEmpty {
                // What the local services learned from that service about them goes too (a
                // resolution cached at tier 1).
                for service in chain.services {
                    var context = ServiceContext(now: now, hosts: hosts, sink: sink)
                    service.withdrawn(applied.withdrawn, by: command.sid, context: &context)
                }
            }
        default:
            return
        }
        performActions(now: now, sink: sink)
    }

    /// Something a neighbour sent that the runtime refused: counted with the dispatcher's own.
    public mutating func refused(_ rejection: DispatchRejection, sink: some ControllerOutput) {
        dispatcher.count(rejection)
        sink.rejected(rejection)
    }

    /// The links discovery holds now: those inside the domain, then the domain edges.
    public var discoveredLinks: [DiscoveredLink] {
        topology.links.map { DiscoveredLink($0, suppressed: topology.blocked.contains($0)) }
            + domainEdges.sorted { $0.key < $1.key }.map { $0.value.link(at: $0.key) }
    }

    /// The services above changed (a route came or went, a definition arrived). Services new
    /// to the table are shown the switches already connected and the links already found.
    public mutating func remoteServicesChanged(
        _ services: [RemoteService], now: NIODeadline, sink: some ControllerOutput
    ) -> [FilterRuleError] {
        let (rejected, newcomers) = dispatcher.install(services)
        guard !newcomers.isEmpty else { return rejected }
        let present =
            switches.datapathIDs.compactMap { switches.description(of: $0) }.map(NetworkEvent.switchAdded)
            + discoveredLinks.map(NetworkEvent.linkAdded)
        for service in newcomers {
            dispatcher.announce(present, to: service, now: now, into: &output)
            performActions(now: now, sink: sink)
        }
        return rejected
    }

    /// A unit below is gone: the hosted services that follow switches see its switches leave.
    public mutating func unitGone(_ unit: UnitID, now: NIODeadline) {
        let gone = dispatcher.downstreamGone(unit)
        guard !gone.isEmpty else { return }
        let discard = ReturnCollector()
        for service in serving.values.sorted(by: { $0.priority > $1.priority })
        where service.subscriptions.contains(.switchRemoved) {
            for dpid in gone {
                var context = ServiceContext(now: now, hosts: hosts, sink: discard)
                _ = service.handle(.switchRemoved(dpid), context: &context)
            }
        }
    }

    /// A signed probe out of each of the switch's ports (or of one).
    private mutating func sendProbes(
        for description: SwitchDescription, only port: PortNumber? = nil, now: NIODeadline,
        sink: some ControllerOutput
    ) {
        let wall = wallMicroseconds(at: now)
        for probe in LinkDiscovery.probes(for: description) where port == nil || probe.port == port {
            sink.send(LinkDiscovery.packetOut(carrying: probes.sign(probe, now: wall)), to: description.datapathID)
        }
    }

    private mutating func learnLink(
        from packetIn: PacketIn, on datapathID: DatapathID, now: NIODeadline, sink: some ControllerOutput
    ) {
        let arrival = HostLocation(datapathID: datapathID, port: packetIn.inPort)
        guard let frame = try? EthernetFrame(parsing: packetIn.data) else {
            reject(.malformed, at: arrival, sink: sink)
            return
        }
        guard let probe = LLDPProbe(frame) else {
            // Another agent's LLDP (lldpd on a host, a neighbour's switch) is no concern of
            // ours; one that names an Echelon switch but does not read as a probe is.
            if LLDPProbe.claimsToBeOne(frame) {
                reject(.malformed, at: arrival, sink: sink)
            } else {
                counters.foreignLLDP += 1
            }
            return
        }
        switch probes.verify(probe, now: wallMicroseconds(at: now)) {
        case .failure(let rejection):
            reject(rejection, at: arrival, sink: sink)
            return
        case .success(let origin) where origin != dispatcher.domain:
            // A probe from another unit's switch: a domain edge, not a link of this domain. Its
            // port carries no host of ours either.
            counters.domainEdgeProbes += 1
            let far = HostLocation(datapathID: probe.datapathID, port: probe.port)
            let known = domainEdges.updateValue(DomainEdge(unit: origin, far: far, lastSeen: now), forKey: arrival)
            guard known?.unit != origin || known?.far != far else { return }
            // A probe of ours back the way it came: the other unit learns the edge from its side
            // now, not at its next round (its own first probe may have come before this switch).
            if let description = switches.description(of: datapathID) {
                sendProbes(for: description, only: arrival.port, now: now, sink: sink)
            }
            if let known { dispatch(.linkRemoved(known.link(at: arrival)), now: now, sink: sink) }
            for event in hosts.markInfrastructure(arrival) { dispatch(event, now: now, sink: sink) }
            dispatch(.linkAdded(DiscoveredLink(near: arrival, far: far, farUnit: origin)), now: now, sink: sink)
            return
        case .success:
            break
        }
        guard switches.hasPort(HostLocation(datapathID: probe.datapathID, port: probe.port)) else {
            // Signed by this unit, for a port its switch does not have (any more).
            reject(.unknownPort, at: arrival, sink: sink)
            return
        }
        guard let link = links.observe(probe, arrivedAt: arrival, now: now) else { return }
        counters.linksDiscovered += 1
        let found = TopologyLink(link.source, link.destination)
        let suppressed = !damping.admits(found)
        guard let replacedLinks = topology.addLink(found, blocked: suppressed) else { return }
        for replaced in replacedLinks {
            // The cable was moved: the other direction of the old link goes now too.
            links.forget(LinkDiscovery.Link(source: replaced.a, destination: replaced.b))
            links.forget(LinkDiscovery.Link(source: replaced.b, destination: replaced.a))
            for end in [replaced.a, replaced.b] where end != link.source && end != link.destination {
                hosts.unmarkInfrastructure(end)
            }
            linkGone(replaced, now: now, sink: sink)
        }
        for location in [arrival, HostLocation(datapathID: probe.datapathID, port: probe.port)] {
            for event in hosts.markInfrastructure(location) { dispatch(event, now: now, sink: sink) }
        }
        dispatch(.linkAdded(DiscoveredLink(found, suppressed: suppressed)), now: now, sink: sink)
    }

    private mutating func reject(_ rejection: ProbeRejection, at port: HostLocation, sink: some ControllerOutput) {
        counters.probesRejected[rejection.rawValue, default: 0] += 1
        sink.topologyWarning(.probe(rejection), at: port)
    }

    /// Takes a link out of the graph, if it is there, and says so.
    private mutating func removeLink(_ link: TopologyLink, now: NIODeadline, sink: some ControllerOutput) {
        guard let gone = topology.removeLink(link) else { return }
        linkGone(gone, now: now, sink: sink)
    }

    /// A link left the graph: services are told, and a link that keeps going down is suppressed.
    private mutating func linkGone(_ link: TopologyLink, now: NIODeadline, sink: some ControllerOutput) {
        if damping.wentDown(link, now: now) {
            counters.linksSuppressed += 1
            sink.topologyWarning(.linkSuppressed(link, for: damping.holdTime), at: link.a)
        }
        dispatch(.linkRemoved(DiscoveredLink(link)), now: now, sink: sink)
    }

    private mutating func removeDomainEdge(at port: HostLocation, now: NIODeadline, sink: some ControllerOutput) {
        guard let edge = domainEdges.removeValue(forKey: port) else { return }
        hosts.unmarkInfrastructure(port)
        dispatch(.linkRemoved(edge.link(at: port)), now: now, sink: sink)
    }

    private mutating func forget(
        _ datapathID: DatapathID, port: PortNumber? = nil, now: NIODeadline, sink: some ControllerOutput
    ) {
        var gone: [TopologyLink] = []
        if port == nil {
            probes.forget(datapathID)
            gone = topology.removeSwitch(datapathID)
        }
        for link in links.remove(datapathID, port: port) {
            hosts.unmarkInfrastructure(link.source)
            hosts.unmarkInfrastructure(link.destination)
            if let removed = topology.removeLink(TopologyLink(link.source, link.destination)) { gone.append(removed) }
        }
        for link in gone { linkGone(link, now: now, sink: sink) }
        for edge in domainEdges.keys.sorted() where edge.datapathID == datapathID && (port == nil || edge.port == port)
        {
            removeDomainEdge(at: edge, now: now, sink: sink)
        }
        for event in hosts.removeAttached(to: datapathID, port: port) { dispatch(event, now: now, sink: sink) }
    }

    private mutating func dispatch(_ event: NetworkEvent, now: NIODeadline, sink: some ControllerOutput) {
        counters.events[event.category.index] += 1
        // A host that moved or left ends its BYPASS before services above are shown it: one that
        // moved is judged again where it is now, and one that left is known to have left (an
        // authenticator that kept where it was would act on a place it no longer is).
        switch event {
        case .deviceChanged(let host, .moved), .deviceRemoved(let host): dispatcher.deviceLeft(host.mac)
        default: break
        }
        guard let plan = dispatcher.plan(event) else {
            guard chain.wants(event.category) else { return }
            var context = ServiceContext(now: now, hosts: hosts, sink: sink)
            runChain(event, context: &context, now: now, sink: sink)
            return
        }
        // A unit that only relays (no local service wants the event) builds no context for it.
        var context: ServiceContext?
        var progress = ChainProgress(position: 0, attributes: [:], resumable: false)
        if chain.wants(event.category) {
            var stageContext = ServiceContext(now: now, hosts: hosts, sink: sink)
            // Before the stage nothing asks a service above: the event is on its way up already.
            var outcome = chain.run(event, context: &stageContext, stage: plan.stage)
            while case .asked(_, let at) = outcome {
                outcome = chain.run(event, context: &stageContext, from: at + 1, stage: plan.stage)
            }
            guard case .reachedStage(let reached) = outcome else { return }
            progress = ChainProgress(position: reached, attributes: stageContext.attributes, resumable: true)
            context = stageContext
        }
        dispatcher.escalate(event, plan: plan, progress: progress, now: now, into: &output)
        for send in output.sends { sink.sendEvent(event, send, domain: dispatcher.domain) }
        let outcome = output.stage
        performActions(now: now, sink: sink)
        switch outcome {
        case .continueLocally:
            guard var context else { return }
            runChain(event, context: &context, from: progress.position, now: now, sink: sink)
        case .stop(let installDropFlow):
            if installDropFlow, case .packetIn(let packetIn) = event { dropFlow(for: packetIn, sink: sink) }
        case .parked:
            break
        }
    }

    /// A DENY: the packet is dropped, and so are the next ones like it for a while, so that
    /// the switch stops asking.
    private func dropFlow(for event: PacketInEvent, sink: some ControllerOutput) {
        let flow = FlowMod(
            match: event.match, command: .add, hardTimeout: dispatcher.settings.dropFlowSeconds,
            priority: FlowMod.defaultPriority &+ 1, bufferID: event.packetIn.bufferID, actions: [])
        sink.send(OpenFlowMessage(xid: event.xid, .flowMod(flow)), to: event.datapathID)
    }

    /// Performs the actions the dispatcher left in the output (taken out first, and their
    /// storage given back after: the list is reused without being copied).
    private mutating func performActions(now: NIODeadline, sink: some ControllerOutput) {
        // Most calls leave none (a return for this unit's switches, an event served here).
        guard !output.actions.isEmpty else { return }
        var pending = output.takeActions()
        perform(pending, now: now, sink: sink)
        output.restore(&pending)
    }

    private mutating func perform(_ actions: [DispatchAction], now: NIODeadline, sink: some ControllerOutput) {
        for action in actions {
            switch action {
            case .sendToUnit(let message, let unit):
                sink.send(message, to: unit)
            case .resume(let parked):
                resume(parked, now: now, sink: sink)
            case .rejected(let rejection):
                sink.rejected(rejection)
            }
        }
    }

    /// Goes on with a DIVERTed event's chain where it stopped. Not inlined into `perform`: the
    /// context it builds would otherwise be set up for every action performed.
    @inline(never)
    private mutating func resume(_ parked: ParkedEvent, now: NIODeadline, sink: some ControllerOutput) {
        guard let event = parked.event, chain.wants(event.category) else { return }
        var context = ServiceContext(now: now, hosts: hosts, sink: sink, attributes: parked.attributes)
        runChain(event, context: &context, from: parked.position, now: now, sink: sink)
    }

    /// Runs the local services from `start`. A service that asks a service above
    /// (`ServiceVerdict.ask`) has the event DIVERTed to it, parked at that service's position:
    /// it resumes there with the answer in its context. Asked a second time for the same event,
    /// or when the service cannot be reached or the event cannot wait, the chain goes on after
    /// the asker without the answer.
    private mutating func runChain(
        _ event: NetworkEvent, context: inout ServiceContext, from start: Int = 0, now: NIODeadline,
        sink: some ControllerOutput
    ) {
        var position = start
        while case .asked(let sid, let at) = chain.run(event, context: &context, from: position) {
            position = at + 1
            let asked = "asked.\(sid.rawValue)"
            guard context.attributes[asked] == nil, let plan = dispatcher.plan(asking: sid) else { continue }
            context.annotate(asked, "1")
            dispatcher.escalate(
                event, plan: plan,
                progress: ChainProgress(position: at, attributes: context.attributes, resumable: true),
                now: now, into: &output)
            for send in output.sends { sink.sendEvent(event, send, domain: dispatcher.domain) }
            let outcome = output.stage
            performActions(now: now, sink: sink)
            switch outcome {
            case .parked, .stop: return
            case .continueLocally: continue
            }
        }
    }

    /// Runs a hosted service on an event a unit below sent, and answers with what it did:
    /// messages for the switches below that unit, context additions, BYPASS, and its verdict.
    private mutating func serve(_ request: ServeRequest, now: NIODeadline, sink: some ControllerOutput) {
        let (event, sid, transaction, unit) = (request.event, request.sid, request.transaction, request.unit)
        guard let service = serving[sid] else { return }
        collector.reset()
        var context = ServiceContext(now: now, hosts: hosts, sink: collector, domain: request.domain)
        let verdict: ReturnVerdict = service.handle(event, context: &context) == .stop ? .stop : .continue
        // Most answers go to the switch the event came from: the dispatcher has just seen it below
        // the unit (`ServeRequest.askedIsBelow`), so only messages for other switches are looked up.
        let asked = event.datapathID
        let askedIsBelow = request.askedIsBelow
        counters.undeliverableReturns += collector.keep {
            $0 == asked ? askedIsBelow : dispatcher.switchesBelow[$0] == unit
        }
        let messages = collector.messages
        // What the return cannot carry is left out, and counted: a return over its limits
        // would be refused by the unit below as malformed, and its channel closed. (Most
        // answers carry neither BYPASS nor context.)
        var bypass: [MACAddress] = []
        var annotations: [ContextEntry] = []
        if !context.bypassed.isEmpty || !context.annotations.isEmpty {
            bypass = Array(context.bypassed.prefix(EventReturn.maximumBypass))
            let fitting = context.annotations.filter {
                $0.key.utf8.count <= EventReturn.maximumKeyLength
                    && $0.value.utf8.count <= EventReturn.maximumValueLength
            }
            annotations = Array(fitting.suffix(EventReturn.maximumContext))
            counters.droppedFromReturns +=
                context.bypassed.count - bypass.count + context.annotations.count - annotations.count
        }
        // More messages than one return carries go first in partial returns; the usual answer
        // fits one, and its list is sent as it is.
        var last = messages
        while last.count > EventReturn.maximumMessages {
            let (part, rest) = last.split(atMost: EventReturn.maximumMessages)
            sink.sendReturn(
                transaction: transaction, sid: sid, verdict: .partial, messages: part, bypass: [], context: [], to: unit
            )
            last = rest
        }
        sink.sendReturn(
            transaction: transaction, sid: sid, verdict: verdict, messages: last, bypass: bypass, context: annotations,
            to: unit)
        if !context.commands.isEmpty { perform(context.commands, of: service, now: now, sink: sink) }
    }

    // MARK: Static flows

    /// Keeps an operator's flow and installs it if its switch is connected.
    public mutating func pushStaticFlow(_ flow: StaticFlow, sink: some ControllerOutput) -> StaticFlowChange {
        let change = staticFlows.push(flow)
        send(change, sink: sink)
        return change
    }

    /// Forgets an operator's flow by name and deletes it from its switch; nil when there is none.
    public mutating func removeStaticFlow(named name: String, sink: some ControllerOutput) -> StaticFlowChange? {
        guard let change = staticFlows.remove(named: name) else { return nil }
        send(change, sink: sink)
        return change
    }

    /// Forgets the operators' flows of one switch, or of all, and deletes them.
    public mutating func clearStaticFlows(on datapathID: DatapathID?, sink: some ControllerOutput) -> StaticFlowChange {
        let change = staticFlows.clear(on: datapathID)
        send(change, sink: sink)
        return change
    }

    /// A switch that is not connected is given its flows when it connects.
    private func send(_ change: StaticFlowChange, sink: some ControllerOutput) {
        for (datapathID, flowMod) in change.messages where switches.isConnected(datapathID) {
            sink.send(OpenFlowMessage(xid: 0, .flowMod(flowMod)), to: datapathID)
        }
    }

    // MARK: Services outside events

    /// The hosts this unit can show: a service's wider map when one keeps it (the resolver's),
    /// otherwise its own tracker's (nil here: the caller reads `hosts`, off the event loop).
    public var servicesHostMap: [KnownHost]? {
        allServices.lazy.compactMap(\.knownHosts).first
    }

    /// The figures of the services that keep any of their own, by name.
    public var serviceStatistics: [(name: String, statistics: [String: Int])] {
        allServices.compactMap { service in
            let statistics = service.statistics
            return statistics.isEmpty ? nil : (service.name, statistics)
        }
    }

    /// The operator asked for a reload (SIGHUP): each service rereads what it reads.
    public mutating func reloadServices(now: NIODeadline, sink: some ControllerOutput) {
        for service in allServices {
            var context = ServiceContext(now: now, hosts: hosts, sink: sink)
            service.reload(context: &context)
            if !context.commands.isEmpty { perform(context.commands, of: service, now: now, sink: sink) }
        }
    }

    private mutating func tickServices(now: NIODeadline, sink: some ControllerOutput) {
        for service in allServices {
            var context = ServiceContext(now: now, hosts: hosts, sink: sink)
            service.tick(context: &context)
            if !context.commands.isEmpty { perform(context.commands, of: service, now: now, sink: sink) }
        }
    }

    /// A service's commands: those for this unit's domain go to its switches; those for a domain
    /// below go down under the service's SID (a service with none, hosted for this unit alone,
    /// has no domain below to address, and its commands there are counted undeliverable).
    private mutating func perform(
        _ commands: [DomainCommand], of service: any HostedService, now: NIODeadline, sink: some ControllerOutput
    ) {
        let sid = serving.first { $0.value === service }?.key
        for command in commands {
            if command.domain == nil || command.domain == dispatcher.domain {
                if !command.messages.isEmpty { sink.forward(command.messages, xid: nil) }
                continue
            }
            guard let sid, let domain = command.domain else {
                counters.undeliverableCommands += 1
                continue
            }
            let switches = self.switches
            dispatcher.issue(
                ServiceCommand(sid: sid, domain: domain, messages: command.messages, withdrawn: command.withdrawn),
                isLocalSwitch: { switches.isConnected($0) }, into: &output)
            if let delivery = output.delivery.take() { sink.forward(delivery.messages, xid: delivery.xid) }
            performActions(now: now, sink: sink)
        }
    }
}

/// A port of this domain where probes from another unit's switch arrive: a link between domains.
public struct DomainEdge: Hashable, Sendable {
    /// The unit whose switch is at the far end.
    public var unit: UnitID
    public var far: HostLocation
    public var lastSeen: NIODeadline

    public init(unit: UnitID, far: HostLocation, lastSeen: NIODeadline) {
        self.unit = unit
        self.far = far
        self.lastSeen = lastSeen
    }

    /// The edge as link events report it, from the port of this domain where it arrives.
    func link(at port: HostLocation) -> DiscoveredLink {
        DiscoveredLink(near: port, far: far, farUnit: unit)
    }
}

/// What a unit has done, for inspection and benchmarks.
public struct UnitCounters: Hashable, Sendable, Codable {
    public var switchesConnected = 0
    public var packetIns = 0
    public var errorsReceived = 0
    public var linksDiscovered = 0
    public var foreignLLDP = 0
    /// Echelon probes not believed, by reason (`ProbeRejection`).
    public var probesRejected: [String: Int] = [:]
    /// Genuine probes from another unit's switches: the ports they arrived on are domain edges.
    public var domainEdgeProbes = 0
    /// PORT_STATUS changes or deletions for ports their switch never reported, ignored.
    public var unknownPortStatus = 0
    /// Times a link that kept going down was suppressed (`LinkDamping`).
    public var linksSuppressed = 0
    /// Messages a hosted service sent, while answering a unit below, to a switch not below it.
    public var undeliverableReturns = 0
    /// BYPASS entries and context annotations a return could not carry (over its limits).
    public var droppedFromReturns = 0
    /// Commands of a service with no SID for another unit's domain (it cannot address one).
    public var undeliverableCommands = 0
    /// Events of this unit's switches and hosts, by category (`EventCategory.index`).
    public var events = [Int](repeating: 0, count: EventCategory.byIndex.count)
    /// Events units below sent up, by category.
    public var eventsFromUnits = [Int](repeating: 0, count: EventCategory.byIndex.count)

    public init() {}
}
