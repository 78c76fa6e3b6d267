import NIOCore
import OpenFlow
import Packets

/// Finds the links between switches by sending an LLDP probe out of every port and noticing
/// where each comes back in. A link not re-confirmed within `linkTimeout` is dropped.
public struct LinkDiscovery: Sendable {
    /// A unidirectional link: a probe sent out of `source` arrived at `destination`.
    public struct Link: Hashable, Sendable, CustomStringConvertible {
        public var source: HostLocation
        public var destination: HostLocation
        public var description: String { "\(source) -> \(destination)" }
    }

    public var probeInterval: TimeAmount
    public var linkTimeout: TimeAmount
    public private(set) var links: [Link: NIODeadline] = [:]
    private var nextRound: NIODeadline?

    public init(probeInterval: TimeAmount = .seconds(5), linkTimeout: TimeAmount = .seconds(16)) {
        self.probeInterval = probeInterval
        self.linkTimeout = linkTimeout
    }

    /// A probe for each physical port of a switch that is up (unsigned: the unit signs them).
    public static func probes(for description: SwitchDescription) -> [LLDPProbe] {
        description.ports.filter { $0.portNumber.isPhysical && !$0.config.contains(.portDown) }.map { port in
            LLDPProbe(datapathID: description.datapathID, port: port.portNumber, portAddress: port.hardwareAddress)
        }
    }

    /// The flow every switch gets when it connects: LLDP goes to the controller above any other
    /// rule, so that no drop rule (an operator's, or the authenticator's for a source MAC that
    /// turns out to be a switch port's) can hide a link from discovery.
    public static let interceptFlow = FlowMod(
        match: Match(wildcards: Match.Wildcards.all.subtracting(.dlType), dlType: EtherType.lldp.rawValue),
        command: .add, priority: UInt16.max,
        actions: [.output(port: .controller, maxLength: UInt16.max)])

    /// The PACKET_OUT that sends a probe out of its port.
    public static func packetOut(carrying probe: LLDPProbe) -> OpenFlowMessage.Body {
        .packetOut(
            PacketOut(inPort: .none, actions: [.output(port: probe.port, maxLength: 0)], data: probe.frame.encoded()))
    }

    /// Whether a probe round is due; if so, the next one is scheduled.
    public mutating func roundDue(now: NIODeadline) -> Bool {
        guard let next = nextRound, now < next else {
            nextRound = now + probeInterval
            return true
        }
        return false
    }

    /// A probe arrived: returns the link if it is new.
    public mutating func observe(_ probe: LLDPProbe, arrivedAt destination: HostLocation, now: NIODeadline) -> Link? {
        let link = Link(source: HostLocation(datapathID: probe.datapathID, port: probe.port), destination: destination)
        return links.updateValue(now, forKey: link) == nil ? link : nil
    }

    /// Drops one direction of a link (its port now leads elsewhere).
    public mutating func forget(_ link: Link) {
        links[link] = nil
    }

    /// Drops links that were not confirmed in time.
    public mutating func expire(now: NIODeadline) -> [Link] {
        let timeout = linkTimeout
        return removeLinks { now - $0.value >= timeout }
    }

    /// Drops the links of a switch that left (or of one of its ports).
    public mutating func remove(_ datapathID: DatapathID, port: PortNumber? = nil) -> [Link] {
        func touches(_ location: HostLocation) -> Bool {
            location.datapathID == datapathID && (port == nil || location.port == port)
        }
        return removeLinks { touches($0.key.source) || touches($0.key.destination) }
    }

    private mutating func removeLinks(where shouldRemove: ((key: Link, value: NIODeadline)) -> Bool) -> [Link] {
        let gone = links.filter(shouldRemove).map(\.key)
        for link in gone { links[link] = nil }
        return gone.sorted { ($0.source.datapathID, $0.source.port) < ($1.source.datapathID, $1.source.port) }
    }
}
