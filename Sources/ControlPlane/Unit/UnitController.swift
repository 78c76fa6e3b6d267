import NIOCore
import OpenFlow
import Packets

/// The pure core of a unit: it takes what its switch channels report and the time, keeps the
/// switch registry, the host tracker and the discovered links, runs the services, and sends
/// what they answer through a `SwitchMessageSink`. The runtime owns one and calls it on one
/// thread; a test calls it with plain values.
public struct UnitController<Connection: Hashable & Sendable> {
    public private(set) var switches = SwitchRegistry<Connection>()
    public private(set) var hosts: HostTracker
    public private(set) var links: LinkDiscovery
    public let chain: ProcessChain
    public private(set) var counters = UnitCounters()

    public init(services: [any HostedService], hosts: HostTracker = HostTracker(), links: LinkDiscovery = LinkDiscovery()) {
        self.chain = ProcessChain(services: services)
        self.hosts = hosts
        self.links = links
    }

    /// A switch finished its handshake. Returns the connection it replaces, which the caller closes.
    public mutating func switchConnected(
        _ description: SwitchDescription, on connection: Connection, now: NIODeadline, sink: some SwitchMessageSink
    ) -> Connection? {
        let replaced = switches.register(description, on: connection)
        if replaced != nil {
            // The old channel's switch is this one; its state goes with it before the new one starts.
            dispatch(.switchRemoved(description.datapathID), now: now, sink: sink)
            forget(description.datapathID, now: now, sink: sink)
        }
        counters.switchesConnected += 1
        dispatch(.switchAdded(description), now: now, sink: sink)
        for probe in LinkDiscovery.probes(for: description) { sink.send(probe, to: description.datapathID) }
        return replaced
    }

    /// A switch channel closed.
    public mutating func switchDisconnected(_ datapathID: DatapathID, on connection: Connection, now: NIODeadline, sink: some SwitchMessageSink) {
        guard switches.remove(datapathID, ifOn: connection) else { return }
        dispatch(.switchRemoved(datapathID), now: now, sink: sink)
        forget(datapathID, now: now, sink: sink)
    }

    /// A message a switch sent (after the handshake).
    public mutating func received(_ message: OpenFlowMessage, from datapathID: DatapathID, now: NIODeadline, sink: some SwitchMessageSink) {
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
            dispatch(.packetIn(PacketInEvent(datapathID: datapathID, xid: message.xid, packetIn: packetIn, match: match)), now: now, sink: sink)
        case .portStatus(let status):
            switches.apply(status, to: datapathID)
            if status.reason == .delete || status.port.config.contains(.portDown) || status.port.state.contains(.linkDown) {
                forget(datapathID, port: status.port.portNumber, now: now, sink: sink)
            }
            dispatch(.switchPortChanged(datapathID, status), now: now, sink: sink)
            dispatch(.portStatus(datapathID, status), now: now, sink: sink)
        case .vendor(let vendor):
            dispatch(.vendor(datapathID, vendor), now: now, sink: sink)
        case .error:
            counters.errorsReceived += 1
        default:
            break
        }
    }

    /// Periodic work: probe rounds, link and host expiry.
    public mutating func tick(now: NIODeadline, sink: some SwitchMessageSink) {
        if links.roundDue(now: now) {
            for datapathID in switches.datapathIDs {
                guard let description = switches.description(of: datapathID) else { continue }
                for probe in LinkDiscovery.probes(for: description) { sink.send(probe, to: datapathID) }
            }
        }
        for link in links.expire(now: now) { hosts.unmarkInfrastructure(link.destination) }
        for event in hosts.expire(now: now) { dispatch(event, now: now, sink: sink) }
    }

    private mutating func learnLink(from packetIn: PacketIn, on datapathID: DatapathID, now: NIODeadline, sink: some SwitchMessageSink) {
        guard let frame = try? EthernetFrame(parsing: packetIn.data), let probe = LLDPProbe(frame) else {
            counters.foreignLLDP += 1
            return
        }
        let arrival = HostLocation(datapathID: datapathID, port: packetIn.inPort)
        guard links.observe(probe, arrivedAt: arrival, now: now) != nil else { return }
        counters.linksDiscovered += 1
        for location in [arrival, HostLocation(datapathID: probe.datapathID, port: probe.port)] {
            for event in hosts.markInfrastructure(location) { dispatch(event, now: now, sink: sink) }
        }
    }

    private mutating func forget(_ datapathID: DatapathID, port: PortNumber? = nil, now: NIODeadline, sink: some SwitchMessageSink) {
        for link in links.remove(datapathID, port: port) {
            hosts.unmarkInfrastructure(link.source)
            hosts.unmarkInfrastructure(link.destination)
        }
        for event in hosts.removeAttached(to: datapathID, port: port) { dispatch(event, now: now, sink: sink) }
    }

    private mutating func dispatch(_ event: NetworkEvent, now: NIODeadline, sink: some SwitchMessageSink) {
        guard chain.wants(event.category) else { return }
        var context = ServiceContext(now: now, hosts: hosts, sink: sink)
        chain.run(event, context: &context)
    }
}

/// What a unit has done, for inspection and benchmarks.
public struct UnitCounters: Hashable, Sendable, Codable {
    public var switchesConnected = 0
    public var packetIns = 0
    public var errorsReceived = 0
    public var linksDiscovered = 0
    public var foreignLLDP = 0
}
