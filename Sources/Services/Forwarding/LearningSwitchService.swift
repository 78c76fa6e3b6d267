import ControlPlane
import NIOCore
import OpenFlow
import Packets

/// Forwarding in its simple form: an L2 learning switch per datapath.
///
/// Each switch learns which port each source MAC arrived on. A frame for a learned
/// destination gets a flow (exact match on the packet, expiring when idle) and is sent on; a
/// frame for an unknown or group destination is flooded. LLDP is never forwarded: it belongs
/// to link discovery, and flooding it would make every switch look adjacent to every other.
public final class LearningSwitchService: HostedService {
    public struct Configuration: Hashable, Sendable, Codable {
        /// Seconds a flow lives without traffic.
        public var idleTimeout: UInt16
        /// Seconds a flow lives at most (0: no limit).
        public var hardTimeout: UInt16
        public var flowPriority: UInt16

        public init(idleTimeout: UInt16 = 10, hardTimeout: UInt16 = 0, flowPriority: UInt16 = FlowMod.defaultPriority) {
            self.idleTimeout = idleTimeout
            self.hardTimeout = hardTimeout
            self.flowPriority = flowPriority
        }
    }

    public let name = "learning-switch"
    public static let events: Set<EventCategory> = [.packetIn, .switchRemoved, .switchPortChanged]
    public var subscriptions: Set<EventCategory> { Self.events }
    public let priority: Int
    public let configuration: Configuration
    /// Per switch: MAC → the port it was last seen on. A reference per switch, so that a
    /// PACKET_IN costs one look-up of its DPID, not one per read or write of the table.
    private var switchTables: [DatapathID: MACTable] = [:]
    /// The table of the switch the last PACKET_IN came from: a read burst is one switch's
    /// packets, so this saves hashing its DPID for each of them.
    private var lastTable: (datapathID: DatapathID, table: MACTable)?

    final class MACTable {
        var ports: [MACAddress: PortNumber] = [:]
    }

    /// What each switch has learned so far.
    public var tables: [DatapathID: [MACAddress: PortNumber]] { switchTables.mapValues(\.ports) }

    public init(configuration: Configuration = Configuration(), priority: Int = 100) {
        self.configuration = configuration
        self.priority = priority
    }

    public func handle(_ event: NetworkEvent, context: inout ServiceContext) -> ServiceVerdict {
        switch event {
        case .packetIn(let packetIn):
            return forward(packetIn, context: &context)
        case .switchRemoved(let datapathID):
            switchTables[datapathID] = nil
            lastTable = nil
        case .switchPortChanged(let datapathID, let status)
        where status.reason == .delete || status.port.state.contains(.linkDown):
            switchTables[datapathID]?.ports =
                switchTables[datapathID]?.ports.filter { $0.value != status.port.portNumber } ?? [:]
        default:
            break
        }
        return .continue
    }

    private func forward(_ event: PacketInEvent, context: inout ServiceContext) -> ServiceVerdict {
        let match = event.match
        guard match.dlType != EtherType.lldp.rawValue else { return .stop }
        let packetIn = event.packetIn
        let table = table(of: event.datapathID)
        // A known host on its known port is the usual case: looking it up is cheaper than
        // writing it again.
        if !match.dlSrc.isMulticast, table.ports[match.dlSrc] != packetIn.inPort {
            table.ports[match.dlSrc] = packetIn.inPort
        }
        guard !match.dlDst.isMulticast, let outPort = table.ports[match.dlDst] else {
            flood(packetIn, to: event.datapathID, context: &context)
            return .continue
        }
        guard outPort != packetIn.inPort else {
            // The destination sits behind the port the frame came from: the switch must not send it back.
            return .continue
        }
        let output = outputList(outPort)
        context.send(
            .flowMod(
                FlowMod(
                    match: match, command: .add, idleTimeout: configuration.idleTimeout,
                    hardTimeout: configuration.hardTimeout,
                    priority: configuration.flowPriority, bufferID: packetIn.bufferID, actions: output)),
            to: event.datapathID)
        if packetIn.bufferID == .none {
            // The switch kept no copy: the flow applies to later packets, this one goes out now.
            context.send(
                .packetOut(PacketOut(inPort: packetIn.inPort, actions: output, data: packetIn.data)),
                to: event.datapathID)
        }
        return .continue
    }

    private func table(of datapathID: DatapathID) -> MACTable {
        if let lastTable, lastTable.datapathID == datapathID { return lastTable.table }
        let table: MACTable
        if let known = switchTables[datapathID] {
            table = known
        } else {
            table = MACTable()
            switchTables[datapathID] = table
        }
        lastTable = (datapathID, table)
        return table
    }

    /// One "output to port N" list per port, reused.
    private let outputList = OutputLists()

    private static let floodList: [Action] = [.output(port: .flood, maxLength: 0)]

    private func flood(_ packetIn: PacketIn, to datapathID: DatapathID, context: inout ServiceContext) {
        let data = packetIn.bufferID == .none ? packetIn.data : ByteBuffer()
        context.send(
            .packetOut(
                PacketOut(bufferID: packetIn.bufferID, inPort: packetIn.inPort, actions: Self.floodList, data: data)),
            to: datapathID)
    }
}
