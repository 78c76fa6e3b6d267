import NIOCore
import OpenFlow

/// The LLDP frame Echelon sends out of every switch port to discover links: when it comes back
/// in a PACKET_IN from another switch, it names the sending switch and port, and the PACKET_IN
/// names the receiving ones.
///
/// The chassis and port IDs follow 802.1AB so that packet captures and third-party LLDP agents
/// show something readable; the DPID itself travels in an Echelon TLV so that recovering it
/// does not depend on parsing text.
public struct LLDPProbe: Hashable, Sendable {
    public var datapathID: DatapathID
    public var port: PortNumber
    /// The sending port's hardware address, used as the frame's source.
    public var portAddress: MACAddress

    /// Echelon's organizationally unique identifier for its TLV.
    public static let echelonOUI: UInt32 = 0x0A_EC10
    /// The subtype, within Echelon's OUI, of the TLV carrying the sender's DPID.
    public static let datapathSubtype: UInt8 = 1
    /// Seconds; long enough to outlive several probe rounds.
    public static let timeToLive: UInt16 = 120
    /// Chassis ID subtype "locally assigned" (802.1AB table 8-2).
    static let chassisLocallyAssigned: UInt8 = 7
    /// Port ID subtype "port component" (802.1AB table 8-3).
    static let portComponent: UInt8 = 2

    public init(datapathID: DatapathID, port: PortNumber, portAddress: MACAddress) {
        self.datapathID = datapathID
        self.port = port
        self.portAddress = portAddress
    }

    /// Recovers the sender from a received frame; `nil` if it is not an Echelon probe (e.g. LLDP
    /// from a host or a non-OpenFlow switch, which discovery must ignore rather than fail on).
    public init?(_ frame: EthernetFrame) {
        guard case .lldp(let lldp) = frame.payload,
            lldp.portID.subtype == Self.portComponent,
            lldp.portID.value.readableBytes == 2,
            let port: UInt16 = lldp.portID.value.getInteger(at: lldp.portID.value.readerIndex),
            let datapathID = lldp.optionalTLVs.lazy.compactMap(\.echelonDatapathID).first
        else { return nil }
        self.init(datapathID: datapathID, port: PortNumber(port), portAddress: frame.source)
    }

    /// Recovers the sender from PACKET_IN data; `nil` unless it is a well-formed Echelon probe.
    public init?(parsing bytes: ByteBuffer) {
        guard let frame = try? EthernetFrame(parsing: bytes) else { return nil }
        self.init(frame)
    }

    /// The frame to send in a PACKET_OUT.
    public var frame: EthernetFrame {
        var portID = ByteBuffer()
        portID.writeInteger(port.rawValue)
        let lldp = LLDPPacket(
            chassisID: .init(subtype: Self.chassisLocallyAssigned, value: ByteBuffer(string: "dpid:\(datapathID)")),
            portID: .init(subtype: Self.portComponent, value: portID),
            timeToLive: Self.timeToLive,
            optionalTLVs: [.echelonDatapath(datapathID)])
        return EthernetFrame(destination: .lldpMulticast, source: portAddress, payload: .lldp(lldp))
    }

    public func write(to buffer: inout ByteBuffer) {
        frame.write(to: &buffer)
    }
}

extension LLDPPacket.TLV {
    /// Echelon's TLV carrying `datapathID` as 8 bytes, big-endian.
    public static func echelonDatapath(_ datapathID: DatapathID) -> Self {
        var information = ByteBuffer()
        information.writeInteger(datapathID.rawValue)
        return .organizationallySpecific(
            oui: LLDPProbe.echelonOUI, subtype: LLDPProbe.datapathSubtype, information: information)
    }

    /// The DPID if this is Echelon's DPID TLV with a well-formed 8-byte value.
    public var echelonDatapathID: DatapathID? {
        guard let (oui, subtype, information) = organizationallySpecific,
            oui == LLDPProbe.echelonOUI, subtype == LLDPProbe.datapathSubtype, information.readableBytes == 8,
            let raw: UInt64 = information.getInteger(at: information.readerIndex)
        else { return nil }
        return DatapathID(raw)
    }
}
