import NIOCore

/// `ofp_match`: the 40-byte flow description used by FLOW_MOD, FLOW_REMOVED and flow stats.
///
/// Fields keep their wire values even when wildcarded, so a match read from a switch writes
/// back byte for byte; `wildcards` says which of them the switch ignores.
public struct Match: Encodable, FixedSizeWireStructure {
    public static let size = 40

    public var wildcards: Wildcards
    public var inPort: PortNumber
    public var dlSrc: MACAddress
    public var dlDst: MACAddress
    /// VLAN id, or `Match.vlanNone` (0xffff) for frames without an 802.1Q header.
    public var dlVlan: UInt16
    public var dlVlanPcp: UInt8
    public var dlType: UInt16
    public var nwTos: UInt8
    public var nwProto: UInt8
    public var nwSrc: IPv4Address
    public var nwDst: IPv4Address
    public var tpSrc: UInt16
    public var tpDst: UInt16

    /// `OFP_VLAN_NONE`: the value of `dl_vlan` that matches untagged frames.
    public static let vlanNone: UInt16 = 0xffff

    /// A match that wildcards everything: every packet matches.
    public static let all = Match(wildcards: .all)

    public init(
        wildcards: Wildcards = .all,
        inPort: PortNumber = PortNumber(0),
        dlSrc: MACAddress = .zero,
        dlDst: MACAddress = .zero,
        dlVlan: UInt16 = 0,
        dlVlanPcp: UInt8 = 0,
        dlType: UInt16 = 0,
        nwTos: UInt8 = 0,
        nwProto: UInt8 = 0,
        nwSrc: IPv4Address = .any,
        nwDst: IPv4Address = .any,
        tpSrc: UInt16 = 0,
        tpDst: UInt16 = 0
    ) {
        self.wildcards = wildcards
        self.inPort = inPort
        self.dlSrc = dlSrc
        self.dlDst = dlDst
        self.dlVlan = dlVlan
        self.dlVlanPcp = dlVlanPcp
        self.dlType = dlType
        self.nwTos = nwTos
        self.nwProto = nwProto
        self.nwSrc = nwSrc
        self.nwDst = nwDst
        self.tpSrc = tpSrc
        self.tpDst = tpDst
    }

    @inlinable
    public init(parsing reader: inout WireReader) throws(WireError) {
        self = try reader.readFixed(Match.size, field: "ofp_match") { field in
            let wildcards = Wildcards(rawValue: field.read())
            let inPort = PortNumber(field.read())
            let dlSrc = field.readMACAddress()
            let dlDst = field.readMACAddress()
            let dlVlan: UInt16 = field.read()
            let dlVlanPcp: UInt8 = field.read()
            field.skip(1)
            let dlType: UInt16 = field.read()
            let nwTos: UInt8 = field.read()
            let nwProto: UInt8 = field.read()
            field.skip(2)
            return Match(
                wildcards: wildcards, inPort: inPort, dlSrc: dlSrc, dlDst: dlDst, dlVlan: dlVlan, dlVlanPcp: dlVlanPcp,
                dlType: dlType, nwTos: nwTos, nwProto: nwProto, nwSrc: field.readIPv4Address(),
                nwDst: field.readIPv4Address(),
                tpSrc: field.read(), tpDst: field.read())
        }
    }

    @inlinable
    public func write(to buffer: inout ByteBuffer) {
        buffer.writeFixed(Match.size) { write(to: &$0) }
    }

    /// Writes the 40 bytes into a structure that contains a match.
    @inlinable
    public func write(to field: inout FixedFieldWriter) {
        field.write(wildcards.rawValue)
        field.write(inPort.rawValue)
        field.writeMACAddress(dlSrc)
        field.writeMACAddress(dlDst)
        field.write(dlVlan)
        field.write(dlVlanPcp)
        field.pad(1)
        field.write(dlType)
        field.write(nwTos)
        field.write(nwProto)
        field.pad(2)
        field.writeIPv4Address(nwSrc)
        field.writeIPv4Address(nwDst)
        field.write(tpSrc)
        field.write(tpDst)
    }
}

extension Match {
    /// `ofp_flow_wildcards`: which match fields the switch ignores.
    ///
    /// Besides single-bit flags, two 6-bit counts say how many low-order bits of `nw_src` and
    /// `nw_dst` are ignored; 32 or more ignores the whole address.
    public struct Wildcards: OptionSet, Hashable, Sendable {
        public let rawValue: UInt32
        public init(rawValue: UInt32) { self.rawValue = rawValue }

        public static let inPort = Wildcards(rawValue: 1 << 0)
        public static let dlVlan = Wildcards(rawValue: 1 << 1)
        public static let dlSrc = Wildcards(rawValue: 1 << 2)
        public static let dlDst = Wildcards(rawValue: 1 << 3)
        public static let dlType = Wildcards(rawValue: 1 << 4)
        public static let nwProto = Wildcards(rawValue: 1 << 5)
        public static let tpSrc = Wildcards(rawValue: 1 << 6)
        public static let tpDst = Wildcards(rawValue: 1 << 7)
        public static let dlVlanPcp = Wildcards(rawValue: 1 << 20)
        public static let nwTos = Wildcards(rawValue: 1 << 21)

        static let nwSrcShift: UInt32 = 8
        static let nwDstShift: UInt32 = 14
        static let addressBitsMask: UInt32 = 0x3f

        /// `OFPFW_ALL`: every field wildcarded, both addresses entirely.
        public static let all = Wildcards(rawValue: (1 << 22) - 1)

        /// Number of low-order bits of `nw_src` ignored (0...63; 32 or more ignores it all).
        public var nwSrcIgnoredBits: Int {
            get { Int(rawValue >> Self.nwSrcShift & Self.addressBitsMask) }
            set { self = Wildcards(rawValue: Self.replacing(rawValue, shift: Self.nwSrcShift, with: newValue)) }
        }

        /// Number of low-order bits of `nw_dst` ignored (0...63; 32 or more ignores it all).
        public var nwDstIgnoredBits: Int {
            get { Int(rawValue >> Self.nwDstShift & Self.addressBitsMask) }
            set { self = Wildcards(rawValue: Self.replacing(rawValue, shift: Self.nwDstShift, with: newValue)) }
        }

        /// The prefix length of `nw_src` that is matched (0 when wholly wildcarded).
        public var nwSrcPrefixLength: Int { 32 - min(nwSrcIgnoredBits, 32) }
        /// The prefix length of `nw_dst` that is matched (0 when wholly wildcarded).
        public var nwDstPrefixLength: Int { 32 - min(nwDstIgnoredBits, 32) }

        private static func replacing(_ raw: UInt32, shift: UInt32, with bits: Int) -> UInt32 {
            let clamped = UInt32(min(max(bits, 0), 63))
            return raw & ~(addressBitsMask << shift) | clamped << shift
        }
    }
}
