import NIOCore
import OpenFlow

/// The LLDP frame Echelon sends out of every switch port to discover links: when it comes back
/// in a PACKET_IN from another switch, it names the sending switch and port, and the PACKET_IN
/// names the receiving ones.
///
/// The chassis and port IDs follow 802.1AB so that packet captures and third-party LLDP agents
/// show something readable; the DPID itself travels in an Echelon TLV so that recovering it
/// does not depend on parsing text. A unit's probes also say which unit sent them and when
/// (`Origin`), and carry a keyed MAC over what they claim (`authenticator`), so that a host
/// cannot forge one: the key is the control plane's, and the MAC is computed and checked by
/// the control-plane logic (`ProbeAuthenticator`), not here.
public struct LLDPProbe: Hashable, Sendable {
    public var datapathID: DatapathID
    public var port: PortNumber
    /// The sending port's hardware address, used as the frame's source.
    public var portAddress: MACAddress
    /// The unit that sent it and when; nil in a probe that does not say.
    public var origin: Origin?
    /// The keyed MAC over `signedBytes`, `authenticatorLength` bytes; nil when unsigned.
    public var authenticator: [UInt8]?

    /// Who sent a probe, and when: the sending unit's UID and the time it was signed, in
    /// microseconds since the Unix epoch (strictly increasing from one unit).
    public struct Origin: Hashable, Sendable {
        public var unit: UInt32
        public var sentAt: UInt64

        public init(unit: UInt32, sentAt: UInt64) {
            self.unit = unit
            self.sentAt = sentAt
        }
    }

    /// Bytes of a probe's authenticator (HMAC-SHA256, cut to its first 16 bytes).
    public static let authenticatorLength = 16
    /// The subtype, within Echelon's OUI, of the TLV carrying the origin (UID u32, time u64).
    public static let originSubtype: UInt8 = 2
    /// The subtype of the TLV carrying the authenticator.
    public static let authenticatorSubtype: UInt8 = 3

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

    public init(
        datapathID: DatapathID, port: PortNumber, portAddress: MACAddress, origin: Origin? = nil,
        authenticator: [UInt8]? = nil
    ) {
        self.datapathID = datapathID
        self.port = port
        self.portAddress = portAddress
        self.origin = origin
        self.authenticator = authenticator
    }

    /// What the authenticator covers, in a fixed order: DPID u64, port u16, port address (6),
    /// then the origin's UID u32 and time u64 (zeros when it has none).
    public var signedBytes: [UInt8] {
        var bytes = ByteBuffer()
        bytes.writeInteger(datapathID.rawValue)
        bytes.writeInteger(port.rawValue)
        bytes.writeMACAddress(portAddress)
        bytes.writeInteger(origin?.unit ?? 0)
        bytes.writeInteger(origin?.sentAt ?? 0)
        return Array(bytes.readableBytesView)
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
        // An origin or authenticator TLV of the wrong length makes the probe malformed, not unsigned.
        var origin: Origin?
        var authenticator: [UInt8]?
        for tlv in lldp.optionalTLVs {
            guard let (oui, subtype, information) = tlv.organizationallySpecific, oui == Self.echelonOUI else {
                continue
            }
            switch subtype {
            case Self.originSubtype:
                guard information.readableBytes == 12,
                    let unit: UInt32 = information.getInteger(at: information.readerIndex),
                    let sentAt: UInt64 = information.getInteger(at: information.readerIndex + 4)
                else { return nil }
                origin = Origin(unit: unit, sentAt: sentAt)
            case Self.authenticatorSubtype:
                guard information.readableBytes == Self.authenticatorLength else { return nil }
                authenticator = Array(information.readableBytesView)
            default:
                continue
            }
        }
        self.init(
            datapathID: datapathID, port: PortNumber(port), portAddress: frame.source, origin: origin,
            authenticator: authenticator)
    }

    /// Recovers the sender from PACKET_IN data; `nil` unless it is a well-formed Echelon probe.
    /// Whether an LLDP frame carries an Echelon TLV: one that then does not read as a probe
    /// is malformed (or forged), not another agent's LLDP.
    public static func claimsToBeOne(_ frame: EthernetFrame) -> Bool {
        guard case .lldp(let lldp) = frame.payload else { return false }
        return lldp.optionalTLVs.contains { $0.organizationallySpecific?.oui == echelonOUI }
    }

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
            optionalTLVs: [.echelonDatapath(datapathID)] + originAndAuthenticatorTLVs)
        return EthernetFrame(destination: .lldpMulticast, source: portAddress, payload: .lldp(lldp))
    }

    public func write(to buffer: inout ByteBuffer) {
        frame.write(to: &buffer)
    }

    private var originAndAuthenticatorTLVs: [LLDPPacket.TLV] {
        var tlvs: [LLDPPacket.TLV] = []
        if let origin {
            var information = ByteBuffer()
            information.writeInteger(origin.unit)
            information.writeInteger(origin.sentAt)
            tlvs.append(
                .organizationallySpecific(oui: Self.echelonOUI, subtype: Self.originSubtype, information: information))
        }
        if let authenticator {
            tlvs.append(
                .organizationallySpecific(
                    oui: Self.echelonOUI, subtype: Self.authenticatorSubtype,
                    information: ByteBuffer(bytes: authenticator)))
        }
        return tlvs
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
