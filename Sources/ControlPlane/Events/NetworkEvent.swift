import OpenFlow

/// Something that happened in the network, as the unit's services see it.
///
/// Switch events come from switch channels, message events from what switches send, device
/// events from the host tracker, which learns hosts from PACKET_INs, and link events from link
/// discovery: services above the unit that runs discovery see the domain's graph through them.
public enum NetworkEvent: Hashable, Sendable {
    /// A switch finished its handshake.
    case switchAdded(SwitchDescription)
    /// A port of a connected switch was added, removed or changed.
    case switchPortChanged(DatapathID, PortStatus)
    /// A switch disconnected or was replaced by a newer connection with the same DPID.
    case switchRemoved(DatapathID)
    /// A packet the switch sent up, with the match extracted from it once for every consumer.
    case packetIn(PacketInEvent)
    case portStatus(DatapathID, PortStatus)
    case vendor(DatapathID, VendorMessage)
    case deviceAdded(Host)
    case deviceRemoved(Host)
    case deviceChanged(Host, HostChange)
    /// Link discovery confirmed a link (or a domain edge).
    case linkAdded(DiscoveredLink)
    /// A link is gone: a port went down, its switch left, or its probes stopped arriving.
    case linkRemoved(DiscoveredLink)

    public var category: EventCategory {
        switch self {
        case .switchAdded: return .switchAdded
        case .switchPortChanged: return .switchPortChanged
        case .switchRemoved: return .switchRemoved
        case .packetIn: return .packetIn
        case .portStatus: return .portStatus
        case .vendor: return .vendor
        case .deviceAdded: return .deviceAdded
        case .deviceRemoved: return .deviceRemoved
        case .deviceChanged: return .deviceChanged
        case .linkAdded: return .linkAdded
        case .linkRemoved: return .linkRemoved
        }
    }
}

/// A PACKET_IN and where it came from.
public struct PacketInEvent: Hashable, Sendable {
    public var datapathID: DatapathID
    /// The OpenFlow transaction id the switch used, for answers that refer to it.
    public var xid: UInt32
    public var packetIn: PacketIn
    /// The exact-match description of the packet (`Match(extractingFrom:inPort:)`).
    public var match: Match

    public init(datapathID: DatapathID, xid: UInt32, packetIn: PacketIn, match: Match) {
        self.datapathID = datapathID
        self.xid = xid
        self.packetIn = packetIn
        self.match = match
    }
}

/// A connected switch as its FEATURES_REPLY described it, kept current by PORT_STATUS.
public struct SwitchDescription: Hashable, Sendable {
    public var features: FeaturesReply
    public var datapathID: DatapathID { features.datapathID }
    public var ports: [PhysicalPort] { features.ports }

    public init(features: FeaturesReply) { self.features = features }

    /// Applies a PORT_STATUS to the port list.
    public mutating func apply(_ status: PortStatus) {
        features.ports.removeAll { $0.portNumber == status.port.portNumber }
        if status.reason != .delete {
            features.ports.append(status.port)
            features.ports.sort { $0.portNumber < $1.portNumber }
        }
    }
}
