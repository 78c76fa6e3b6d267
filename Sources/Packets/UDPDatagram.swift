import NIOCore
import OpenFlow

/// A UDP datagram. The length field is not stored (it is 8 plus the payload); `checksum` is the
/// received value, and `IPv4Packet.write(to:)` computes a fresh one over the pseudo-header.
public struct UDPDatagram: WireStructure {
    static let headerLength = 8
    static let checksumOffset = 6

    public var sourcePort: UInt16
    public var destinationPort: UInt16
    /// As received; 0 means the sender computed none.
    public var checksum: UInt16
    public var payload: ByteBuffer

    public init(sourcePort: UInt16, destinationPort: UInt16, checksum: UInt16 = 0, payload: ByteBuffer = ByteBuffer()) {
        self.sourcePort = sourcePort
        self.destinationPort = destinationPort
        self.checksum = checksum
        self.payload = payload
    }

    /// The `length` field: header and payload.
    public var length: Int { Self.headerLength + payload.readableBytes }

    /// Takes the payload the length field claims; bytes after it inside the IP payload are
    /// left unread.
    public init(parsing reader: inout WireReader) throws(WireError) {
        sourcePort = try reader.readInteger(field: "udp.src")
        destinationPort = try reader.readInteger(field: "udp.dst")
        let lengthAt = reader.offset
        let length = Int(try reader.readInteger(as: UInt16.self, field: "udp.length"))
        checksum = try reader.readInteger(field: "udp.checksum")
        guard length >= Self.headerLength else {
            throw WireError(
                .lengthBelowMinimum(length: length, minimum: Self.headerLength), field: "udp.length", offset: lengthAt)
        }
        guard length - Self.headerLength <= reader.remaining else {
            throw WireError(
                .lengthAboveMaximum(length: length, maximum: Self.headerLength + reader.remaining),
                field: "udp.length", offset: lengthAt)
        }
        payload = try reader.readBytes(length: length - Self.headerLength, field: "udp.payload")
    }

    public func write(to buffer: inout ByteBuffer) {
        buffer.writeInteger(sourcePort)
        buffer.writeInteger(destinationPort)
        buffer.writeInteger(UInt16(truncatingIfNeeded: length))
        buffer.writeInteger(checksum)
        buffer.writeImmutableBuffer(payload)
    }
}
