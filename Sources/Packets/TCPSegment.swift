import NIOCore
import OpenFlow

/// A TCP segment: the fixed header, options as raw bytes, and the data.
///
/// The data offset is not stored; it follows from `options`. `checksum` is the received (or
/// verbatim) value: computing it needs the IP pseudo-header, so `IPv4Packet.write(to:)` fills it in.
public struct TCPSegment: WireStructure {
    static let checksumOffset = 16

    public var sourcePort: UInt16
    public var destinationPort: UInt16
    public var sequenceNumber: UInt32
    public var acknowledgmentNumber: UInt32
    public var flags: Flags
    public var window: UInt16
    public var checksum: UInt16
    public var urgentPointer: UInt16
    /// Options, raw; written padded to a multiple of 4 bytes and cut at 40.
    public var options: ByteBuffer
    public var payload: ByteBuffer

    public init(
        sourcePort: UInt16, destinationPort: UInt16, sequenceNumber: UInt32 = 0, acknowledgmentNumber: UInt32 = 0,
        flags: Flags = [], window: UInt16 = 0xffff, checksum: UInt16 = 0, urgentPointer: UInt16 = 0,
        options: ByteBuffer = ByteBuffer(), payload: ByteBuffer = ByteBuffer()
    ) {
        self.sourcePort = sourcePort
        self.destinationPort = destinationPort
        self.sequenceNumber = sequenceNumber
        self.acknowledgmentNumber = acknowledgmentNumber
        self.flags = flags
        self.window = window
        self.checksum = checksum
        self.urgentPointer = urgentPointer
        self.options = options
        self.payload = payload
    }

    /// Header length in bytes (the data offset field times 4).
    public var headerLength: Int { WordCountedHeader.fixedLength + WordCountedHeader.paddedOptionsLength(options) }
    public var length: Int { headerLength + payload.readableBytes }

    /// Parses the header and takes every remaining byte of `reader` as data, so the reader
    /// must cover exactly the segment (the IP payload).
    public init(parsing reader: inout WireReader) throws(WireError) {
        sourcePort = try reader.readInteger(field: "tcp.src")
        destinationPort = try reader.readInteger(field: "tcp.dst")
        sequenceNumber = try reader.readInteger(field: "tcp.seq")
        acknowledgmentNumber = try reader.readInteger(field: "tcp.ack")
        let offsetAt = reader.offset
        let offsetAndFlags: UInt16 = try reader.readInteger(field: "tcp.data_offset")
        let headerLength = try WordCountedHeader.length(
            words: UInt8(offsetAndFlags >> 12), field: "tcp.data_offset", offset: offsetAt)
        flags = Flags(rawValue: offsetAndFlags & 0x0fff)
        window = try reader.readInteger(field: "tcp.window")
        checksum = try reader.readInteger(field: "tcp.checksum")
        urgentPointer = try reader.readInteger(field: "tcp.urgent_pointer")
        options = try reader.readBytes(length: headerLength - WordCountedHeader.fixedLength, field: "tcp.options")
        payload = reader.readRest()
    }

    public func write(to buffer: inout ByteBuffer) {
        buffer.writeInteger(sourcePort)
        buffer.writeInteger(destinationPort)
        buffer.writeInteger(sequenceNumber)
        buffer.writeInteger(acknowledgmentNumber)
        buffer.writeInteger(UInt16(WordCountedHeader.words(options: options)) << 12 | flags.rawValue & 0x0fff)
        buffer.writeInteger(window)
        buffer.writeInteger(checksum)
        buffer.writeInteger(urgentPointer)
        WordCountedHeader.write(options: options, to: &buffer)
        buffer.writeImmutableBuffer(payload)
    }

    /// The 12 bits after the data offset: three reserved bits, then NS, CWR, ECE, URG, ACK,
    /// PSH, RST, SYN, FIN. The reserved bits are kept so that a segment is written back unchanged.
    public struct Flags: OptionSet, Hashable, Sendable {
        public let rawValue: UInt16
        public init(rawValue: UInt16) { self.rawValue = rawValue }
        public static let fin = Flags(rawValue: 1 << 0)
        public static let syn = Flags(rawValue: 1 << 1)
        public static let rst = Flags(rawValue: 1 << 2)
        public static let psh = Flags(rawValue: 1 << 3)
        public static let ack = Flags(rawValue: 1 << 4)
        public static let urg = Flags(rawValue: 1 << 5)
        public static let ece = Flags(rawValue: 1 << 6)
        public static let cwr = Flags(rawValue: 1 << 7)
        public static let ns = Flags(rawValue: 1 << 8)
    }
}
