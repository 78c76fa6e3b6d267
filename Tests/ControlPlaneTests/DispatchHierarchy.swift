import ControlPlane
import NIOCore
import OpenFlow
import Packets
import UnitProtocol

/// Units of a hierarchy wired together in memory: what one sends another is held in flight
/// until the test delivers it, in order or shuffled.
final class DispatchHierarchy {
    var units: [UnitID: UnitController] = [:]
    var outputs: [UnitID: RecordingSink] = [:]
    private(set) var inFlight: [(from: UnitID, to: UnitID, message: UnitMessage)] = []
    var now = NIODeadline.uptimeNanoseconds(1_000_000_000)

    func add(
        _ uid: UInt32, services: [any HostedService] = [], serving: [UInt32: any HostedService] = [:],
        settings: DispatchSettings = DispatchSettings()
    ) {
        let id = UnitID(uid)
        units[id] = UnitController(
            services: services, domain: id,
            serving: Dictionary(uniqueKeysWithValues: serving.map { (ServiceID($0.key), $0.value) }), dispatch: settings
        )
        outputs[id] = RecordingSink()
    }

    func output(_ uid: UInt32) -> RecordingSink { outputs[UnitID(uid)] ?? RecordingSink() }
    func unit(_ uid: UInt32) -> UnitController? { units[UnitID(uid)] }

    /// Tells a unit that these services are reachable through `nextHop` (what routing does).
    @discardableResult
    func route(_ uid: UInt32, to services: [ExportedService], via nextHop: UInt32) -> [FilterRuleError] {
        let remote = services.map { RemoteService(definition: $0, nextHop: UnitID(nextHop)) }
        guard let output = outputs[UnitID(uid)] else { return [] }
        let errors = units[UnitID(uid)]?.remoteServicesChanged(remote, now: now, sink: output) ?? []
        collect()
        return errors
    }

    func connect(_ uid: UInt32, switches: [UInt64]) {
        guard let output = outputs[UnitID(uid)] else { return }
        for dpid in switches {
            _ = units[UnitID(uid)]?.switchConnected(
                LinkDiscoveryTests.description(dpid, ports: [1, 2]), on: ConnectionID(rawValue: UInt(dpid)), now: now,
                sink: output)
        }
        collect()
    }

    func packetIn(
        _ uid: UInt32, dpid: UInt64, xid: UInt32, from source: MACAddress,
        to destination: MACAddress = MACAddress(0, 0, 0, 0, 0, 0xee)
    ) {
        var message = UnitControllerTests.packetIn(from: source, to: destination, port: 1)
        message.xid = xid
        guard let output = outputs[UnitID(uid)] else { return }
        units[UnitID(uid)]?.received(message, from: DatapathID(dpid), now: now, sink: output)
        collect()
    }

    /// The last probe a unit sent out of a switch port, arriving at another (a cable between them).
    func carryProbe(_ uid: UInt32, from: (UInt64, UInt16), to: (UInt64, UInt16)) {
        guard let output = outputs[UnitID(uid)], let probe = output.probe(from: from, arrivingAt: to) else { return }
        units[UnitID(uid)]?.received(probe, from: DatapathID(to.0), now: now, sink: output)
        collect()
    }

    func reload(_ uid: UInt32) {
        guard let output = outputs[UnitID(uid)] else { return }
        units[UnitID(uid)]?.reloadServices(now: now, sink: output)
        collect()
    }

    func tick(_ uid: UInt32) {
        guard let output = outputs[UnitID(uid)] else { return }
        units[UnitID(uid)]?.tick(now: now, sink: output)
        collect()
    }

    /// Takes what every unit has sent to other units into flight.
    func collect() {
        for uid in outputs.keys.sorted() {
            guard let output = outputs[uid] else { continue }
            for (message, to) in output.unitMessages { inFlight.append((uid, to, message)) }
            output.unitMessages = []
        }
    }

    /// Delivers everything in flight, and what that causes, until nothing is left.
    func deliverAll(using rng: inout some RandomNumberGenerator, shuffled: Bool = true) {
        while !inFlight.isEmpty {
            var batch = inFlight
            inFlight = []
            if shuffled { batch.shuffle(using: &rng) }
            for (from, to, message) in batch { deliver(message, from: from, to: to) }
        }
    }

    func deliverAll() {
        var rng = SystemRandomNumberGenerator()
        deliverAll(using: &rng, shuffled: false)
    }

    func deliver(_ message: UnitMessage, from: UnitID, to: UnitID) {
        guard let output = outputs[to] else { return }
        units[to]?.received(message, from: from, now: now, sink: output)
        collect()
    }

    /// Drops what is in flight (a message lost with its channel).
    func dropInFlight() -> [(from: UnitID, to: UnitID, message: UnitMessage)] {
        defer { inFlight = [] }
        return inFlight
    }
}

/// A service above that answers each PACKET_IN with a FLOW_MOD for the switch that asked,
/// notes who answered in the context, and may ask for BYPASS of the packet's source.
final class AnsweringService: HostedService {
    let name = "answering"
    let subscriptions: Set<EventCategory>
    let priority: Int
    var verdict: ServiceVerdict
    var bypassSources = false
    /// A DPID to also send a message to (to test returns that address other switches).
    var alsoAddress: DatapathID?
    /// Barrier requests to send after the FLOW_MOD (to make answers longer than one return).
    var extraMessages = 0
    private(set) var seen: [NetworkEvent] = []
    let tag: String

    init(
        tag: String, priority: Int = 0, verdict: ServiceVerdict = .continue,
        subscriptions: Set<EventCategory> = [.packetIn, .switchAdded, .switchRemoved]
    ) {
        self.tag = tag
        self.priority = priority
        self.verdict = verdict
        self.subscriptions = subscriptions
    }

    func handle(_ event: NetworkEvent, context: inout ServiceContext) -> ServiceVerdict {
        seen.append(event)
        guard case .packetIn(let packetIn) = event else { return .continue }
        context.send(
            .flowMod(
                FlowMod(
                    match: packetIn.match, idleTimeout: 10, bufferID: packetIn.packetIn.bufferID,
                    actions: [.output(port: PortNumber(2), maxLength: 0)])), to: packetIn.datapathID)
        if let alsoAddress { context.send(.barrierRequest(BarrierRequest()), to: alsoAddress) }
        for _ in 0..<extraMessages { context.send(.barrierRequest(BarrierRequest()), to: packetIn.datapathID) }
        context.annotate("answered-by", tag)
        if bypassSources { context.bypass(packetIn.match.dlSrc) }
        return verdict
    }
}

/// A local service that records the events it sees and the context they carry.
final class ContextRecorder: HostedService {
    let name: String
    let subscriptions: Set<EventCategory> = [.packetIn]
    let priority: Int
    let verdict: ServiceVerdict
    private(set) var seen: [(event: NetworkEvent, attributes: [String: String])] = []

    init(_ name: String, priority: Int, verdict: ServiceVerdict = .continue) {
        self.name = name
        self.priority = priority
        self.verdict = verdict
    }

    func handle(_ event: NetworkEvent, context: inout ServiceContext) -> ServiceVerdict {
        seen.append((event, context.attributes))
        return verdict
    }
}

extension ExportedService {
    static func service(
        _ sid: UInt32, origin: UInt32, action: ProcessChainAction, priority: Int32 = 0,
        policy: TimeoutPolicy = .failOpen,
        timeoutMilliseconds: UInt32 = 500, subscriptions: Set<EventCategory> = [.packetIn], rules: [String] = []
    ) -> ExportedService {
        ExportedService(
            sid: ServiceID(sid), origin: UnitID(origin), name: "s\(sid)", priority: priority, action: action,
            timeoutPolicy: policy,
            subscriptions: subscriptions, timeoutMilliseconds: timeoutMilliseconds, rules: rules)
    }
}
