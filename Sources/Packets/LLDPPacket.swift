import NIOCore
import OpenFlow

/// An LLDP data unit (IEEE 802.1AB): the three mandatory TLVs, any optional TLVs in order, and
/// the End TLV, which is implied (written, and required when parsing, but not stored).
public struct LLDPPacket: WireStructure {
    public var chassisID: Identifier
    public var portID: Identifier
    /// Seconds the receiver may keep this information.
    public var timeToLive: UInt16
    /// Every TLV between Time To Live and End, in order.
    public var optionalTLVs: [TLV]

    public init(chassisID: Identifier, portID: Identifier, timeToLive: UInt16, optionalTLVs: [TLV] = []) {
        self.chassisID = chassisID
        self.portID = portID
        self.timeToLive = timeToLive
        self.optionalTLVs = optionalTLVs
    }

    /// TLV type numbers.
    enum TLVType {
        static let end: UInt8 = 0
        static let chassisID: UInt8 = 1
        static let portID: UInt8 = 2
        static let timeToLive: UInt8 = 3
        static let organizationallySpecific: UInt8 = 127
    }

    /// Largest value the 9-bit TLV length can describe.
    static let maximumValueLength = 511

    /// Parses up to and including the End TLV; anything after it (Ethernet padding) is left unread.
    public init(parsing reader: inout WireReader) throws(WireError) {
        var chassis = try reader.readMandatoryTLV(TLVType.chassisID, field: "lldp.chassis_id", length: 2...256)
        chassisID = try Identifier(parsing: &chassis, field: "lldp.chassis_id")
        var port = try reader.readMandatoryTLV(TLVType.portID, field: "lldp.port_id", length: 2...256)
        portID = try Identifier(parsing: &port, field: "lldp.port_id")
        var ttl = try reader.readMandatoryTLV(TLVType.timeToLive, field: "lldp.ttl", length: 2...2)
        timeToLive = try ttl.readInteger(field: "lldp.ttl")
        optionalTLVs = []
        while true {
            var tlv = try reader.readLLDPTLV()
            if tlv.type == TLVType.end {
                guard tlv.value.isAtEnd else {
                    throw WireError(
                        .lengthAboveMaximum(length: tlv.value.remaining, maximum: 0),
                        field: "lldp.end.length", offset: tlv.offset)
                }
                return
            }
            optionalTLVs.append(TLV(type: tlv.type, value: tlv.value.readRest()))
        }
    }

    public func write(to buffer: inout ByteBuffer) {
        chassisID.write(type: TLVType.chassisID, to: &buffer)
        portID.write(type: TLVType.portID, to: &buffer)
        var ttl = ByteBuffer()
        ttl.writeInteger(timeToLive)
        buffer.writeLLDPTLV(type: TLVType.timeToLive, value: ttl)
        for tlv in optionalTLVs {
            buffer.writeLLDPTLV(type: tlv.type, value: tlv.value)
        }
        buffer.writeLLDPTLV(type: TLVType.end, value: ByteBuffer())
    }

    /// The Chassis ID or Port ID: a subtype saying how to read the value (MAC address,
    /// interface name, locally assigned text, ...) and the value itself.
    public struct Identifier: Hashable, Sendable {
        public var subtype: UInt8
        public var value: ByteBuffer

        public init(subtype: UInt8, value: ByteBuffer) {
            self.subtype = subtype
            self.value = value
        }

        init(parsing reader: inout WireReader, field: String) throws(WireError) {
            subtype = try reader.readInteger(field: field + ".subtype")
            value = reader.readRest()
        }

        func write(type: UInt8, to buffer: inout ByteBuffer) {
            var tlv = ByteBuffer()
            tlv.writeInteger(subtype)
            tlv.writeImmutableBuffer(value)
            buffer.writeLLDPTLV(type: type, value: tlv)
        }
    }

    /// An optional TLV, undecoded: its 7-bit type and its value.
    public struct TLV: Hashable, Sendable {
        public var type: UInt8
        public var value: ByteBuffer

        public init(type: UInt8, value: ByteBuffer) {
            self.type = type
            self.value = value
        }

        /// An organizationally specific TLV (type 127): a 3-byte OUI naming who defined it, the
        /// owner's subtype, and the information string.
        public static func organizationallySpecific(oui: UInt32, subtype: UInt8, information: ByteBuffer) -> TLV {
            var value = ByteBuffer()
            value.writeInteger(UInt8(truncatingIfNeeded: oui >> 16))
            value.writeInteger(UInt16(truncatingIfNeeded: oui))
            value.writeInteger(subtype)
            value.writeImmutableBuffer(information)
            return TLV(type: TLVType.organizationallySpecific, value: value)
        }

        /// The OUI, subtype and information of an organizationally specific TLV; `nil` for any
        /// other type, or one too short to hold an OUI and subtype.
        public var organizationallySpecific: (oui: UInt32, subtype: UInt8, information: ByteBuffer)? {
            guard type == TLVType.organizationallySpecific,
                let prefix: UInt32 = value.getInteger(at: value.readerIndex)
            else { return nil }
            let information = value.getSlice(at: value.readerIndex + 4, length: value.readableBytes - 4)
            return (prefix >> 8, UInt8(truncatingIfNeeded: prefix), information ?? ByteBuffer())
        }
    }
}

extension WireReader {
    /// Reads one TLV header (7-bit type, 9-bit length) and returns a reader over exactly its
    /// value, after checking that the length fits in what is left.
    mutating func readLLDPTLV() throws(WireError) -> (type: UInt8, offset: Int, value: WireReader) {
        let at = offset
        let header: UInt16 = try readInteger(field: "lldp.tlv")
        let length = Int(header & 0x1ff)
        guard length <= remaining else {
            throw WireError(
                .lengthAboveMaximum(length: length, maximum: remaining), field: "lldp.tlv.length", offset: at)
        }
        return (UInt8(header >> 9), at, try readReader(length: length, field: "lldp.tlv.value"))
    }

    /// Reads a TLV that must be of `type` (the mandatory TLVs come first, in a fixed order)
    /// with a value length in `length`.
    mutating func readMandatoryTLV(
        _ type: UInt8, field: String, length: ClosedRange<Int>
    ) throws(WireError) -> WireReader {
        let tlv = try readLLDPTLV()
        guard tlv.type == type else {
            throw WireError(.unknownType(UInt64(tlv.type)), field: field, offset: tlv.offset)
        }
        let actual = tlv.value.remaining
        guard actual >= length.lowerBound else {
            throw WireError(
                .lengthBelowMinimum(length: actual, minimum: length.lowerBound), field: field + ".length",
                offset: tlv.offset)
        }
        guard actual <= length.upperBound else {
            throw WireError(
                .lengthAboveMaximum(length: actual, maximum: length.upperBound), field: field + ".length",
                offset: tlv.offset)
        }
        return tlv.value
    }
}

extension ByteBuffer {
    /// Writes a TLV header and value; a value longer than the 9-bit length allows is cut.
    mutating func writeLLDPTLV(type: UInt8, value: ByteBuffer) {
        let length = min(value.readableBytes, LLDPPacket.maximumValueLength)
        writeInteger(UInt16(type & 0x7f) << 9 | UInt16(length))
        writeImmutableBuffer(value.getSlice(at: value.readerIndex, length: length) ?? ByteBuffer())
    }
}
