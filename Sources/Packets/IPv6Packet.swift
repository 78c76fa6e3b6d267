import NIOCore
import OpenFlow

/// An IPv6 packet: the 40-byte fixed header and its payload as bytes.
///
/// OpenFlow 1.0 cannot match on anything inside IPv6, so extension headers and upper layers
/// are left undecoded; `nextHeader` says what the payload starts with. The payload length
/// is not stored: it is the payload's size.
public struct IPv6Packet: WireStructure {
    public static let headerLength = 40

    public var trafficClass: UInt8
    /// 20 bits.
    public var flowLabel: UInt32
    public var nextHeader: IPProtocol
    public var hopLimit: UInt8
    public var source: IPv6Address
    public var destination: IPv6Address
    public var payload: ByteBuffer

    public init(
        trafficClass: UInt8 = 0, flowLabel: UInt32 = 0, nextHeader: IPProtocol, hopLimit: UInt8 = 64,
        source: IPv6Address, destination: IPv6Address, payload: ByteBuffer = ByteBuffer()
    ) {
        self.trafficClass = trafficClass
        self.flowLabel = flowLabel
        self.nextHeader = nextHeader
        self.hopLimit = hopLimit
        self.source = source
        self.destination = destination
        self.payload = payload
    }

    /// The `payload_length` field.
    public var payloadLength: Int { payload.readableBytes }

    /// Parses the header and exactly `payload_length` bytes; what follows is left unread.
    public init(parsing reader: inout WireReader) throws(WireError) {
        let start = reader.offset
        let first: UInt32 = try reader.readInteger(field: "ipv6.version")
        guard first >> 28 == 6 else {
            throw WireError(.invalidValue(UInt64(first >> 28)), field: "ipv6.version", offset: start)
        }
        trafficClass = UInt8(truncatingIfNeeded: first >> 20)
        flowLabel = first & 0xf_ffff
        let lengthAt = reader.offset
        let payloadLength = Int(try reader.readInteger(as: UInt16.self, field: "ipv6.payload_length"))
        nextHeader = IPProtocol(try reader.readInteger(field: "ipv6.next_header"))
        hopLimit = try reader.readInteger(field: "ipv6.hop_limit")
        source = try reader.readIPv6Address(field: "ipv6.src")
        destination = try reader.readIPv6Address(field: "ipv6.dst")
        guard payloadLength <= reader.remaining else {
            throw WireError(
                .lengthAboveMaximum(length: payloadLength, maximum: reader.remaining),
                field: "ipv6.payload_length", offset: lengthAt)
        }
        payload = try reader.readBytes(length: payloadLength, field: "ipv6.payload")
    }

    public func write(to buffer: inout ByteBuffer) {
        buffer.writeInteger(6 << 28 | UInt32(trafficClass) << 20 | flowLabel & 0xf_ffff)
        buffer.writeInteger(UInt16(truncatingIfNeeded: payloadLength))
        buffer.writeInteger(nextHeader.rawValue)
        buffer.writeInteger(hopLimit)
        buffer.writeIPv6Address(source)
        buffer.writeIPv6Address(destination)
        buffer.writeImmutableBuffer(payload)
    }
}
