import NIOCore
import OpenFlow

/// An ICMP (v4) message: type, code, checksum, the four type-specific header bytes (identifier
/// and sequence number for echo) and the data. `checksum` is the received value;
/// `IPv4Packet.write(to:)` computes a fresh one, so every IP layer's checksum is made in one place.
public struct ICMPMessage: WireStructure {
    static let headerLength = 8
    static let checksumOffset = 2

    public var type: UInt8
    public var code: UInt8
    public var checksum: UInt16
    /// The second 32-bit word of the header, whose meaning depends on `type`.
    public var restOfHeader: UInt32
    public var data: ByteBuffer

    public static let echoReply: UInt8 = 0
    public static let destinationUnreachable: UInt8 = 3
    public static let echoRequest: UInt8 = 8
    public static let timeExceeded: UInt8 = 11

    public init(
        type: UInt8, code: UInt8 = 0, checksum: UInt16 = 0, restOfHeader: UInt32 = 0, data: ByteBuffer = ByteBuffer()
    ) {
        self.type = type
        self.code = code
        self.checksum = checksum
        self.restOfHeader = restOfHeader
        self.data = data
    }

    /// An echo request or reply; the identifier and sequence number share `restOfHeader`.
    public static func echo(
        reply: Bool = false, identifier: UInt16, sequenceNumber: UInt16, data: ByteBuffer = ByteBuffer()
    ) -> ICMPMessage {
        ICMPMessage(
            type: reply ? echoReply : echoRequest,
            restOfHeader: UInt32(identifier) << 16 | UInt32(sequenceNumber), data: data)
    }

    public var identifier: UInt16 { UInt16(truncatingIfNeeded: restOfHeader >> 16) }
    public var sequenceNumber: UInt16 { UInt16(truncatingIfNeeded: restOfHeader) }
    public var length: Int { Self.headerLength + data.readableBytes }

    /// Takes every remaining byte of `reader` as data, so the reader must cover exactly the message.
    public init(parsing reader: inout WireReader) throws(WireError) {
        type = try reader.readInteger(field: "icmp.type")
        code = try reader.readInteger(field: "icmp.code")
        checksum = try reader.readInteger(field: "icmp.checksum")
        restOfHeader = try reader.readInteger(field: "icmp.rest_of_header")
        data = reader.readRest()
    }

    public func write(to buffer: inout ByteBuffer) {
        buffer.writeInteger(type)
        buffer.writeInteger(code)
        buffer.writeInteger(checksum)
        buffer.writeInteger(restOfHeader)
        buffer.writeImmutableBuffer(data)
    }
}
