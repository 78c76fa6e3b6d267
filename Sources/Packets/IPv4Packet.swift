import NIOCore
import OpenFlow

/// An IPv4 packet: the header with its options kept as bytes, and the payload decoded when it
/// is TCP, UDP or ICMP.
///
/// Version, header length, total length and protocol are not stored: they follow from the
/// options and payload, so a value cannot contradict itself. `checksum` holds what was
/// received (switches and virtual NICs often leave it unset, so it is never used to reject a
/// packet); `write(to:)` ignores it and emits correct checksums.
public struct IPv4Packet: WireStructure {
    /// Type of service byte: DSCP in the high six bits, ECN in the low two.
    public var tos: UInt8
    public var identification: UInt16
    public var flags: Flags
    /// Offset of this fragment in the original payload, in 8-byte units (13 bits).
    public var fragmentOffset: UInt16
    public var ttl: UInt8
    /// The header checksum as received.
    public var checksum: UInt16
    public var source: IPv4Address
    public var destination: IPv4Address
    /// Header options, raw; written padded to a multiple of 4 bytes and cut at 40.
    public var options: ByteBuffer
    public var payload: Payload

    public init(
        tos: UInt8 = 0, identification: UInt16 = 0, flags: Flags = [], fragmentOffset: UInt16 = 0,
        ttl: UInt8 = 64, checksum: UInt16 = 0, source: IPv4Address, destination: IPv4Address,
        options: ByteBuffer = ByteBuffer(), payload: Payload
    ) {
        self.tos = tos
        self.identification = identification
        self.flags = flags
        self.fragmentOffset = fragmentOffset
        self.ttl = ttl
        self.checksum = checksum
        self.source = source
        self.destination = destination
        self.options = options
        self.payload = payload
    }

    public var dscp: UInt8 { tos >> 2 }
    public var ecn: UInt8 { tos & 0x3 }
    public var `protocol`: IPProtocol { payload.protocol }
    /// Header length in bytes, options included (the IHL field times 4).
    public var headerLength: Int { WordCountedHeader.fixedLength + WordCountedHeader.paddedOptionsLength(options) }
    /// The `total_length` field: header and payload.
    public var totalLength: Int { headerLength + payload.length }
    /// Whether this is any fragment of a larger packet, the first one included.
    public var isFragment: Bool { flags.contains(.moreFragments) || fragmentOffset != 0 }

    /// Parses the header and exactly `total_length` bytes; what follows (Ethernet padding) is
    /// left unread. A total length that runs past the end of the frame is an error, so data
    /// truncated by the switch (`miss_send_len`) must go through `Match(extractingFrom:)` instead.
    public init(parsing reader: inout WireReader) throws(WireError) {
        let start = reader.offset
        let versionAndLength: UInt8 = try reader.readInteger(field: "ipv4.version")
        guard versionAndLength >> 4 == 4 else {
            throw WireError(.invalidValue(UInt64(versionAndLength >> 4)), field: "ipv4.version", offset: start)
        }
        let headerLength = try WordCountedHeader.length(words: versionAndLength & 0xf, field: "ipv4.ihl", offset: start)
        tos = try reader.readInteger(field: "ipv4.tos")
        let totalLengthOffset = reader.offset
        let totalLength = Int(try reader.readInteger(as: UInt16.self, field: "ipv4.total_length"))
        identification = try reader.readInteger(field: "ipv4.identification")
        let flagsAndOffset: UInt16 = try reader.readInteger(field: "ipv4.fragment_offset")
        flags = Flags(rawValue: UInt8(flagsAndOffset >> 13))
        fragmentOffset = flagsAndOffset & 0x1fff
        ttl = try reader.readInteger(field: "ipv4.ttl")
        let number = IPProtocol(try reader.readInteger(field: "ipv4.protocol"))
        checksum = try reader.readInteger(field: "ipv4.checksum")
        source = try reader.readIPv4Address(field: "ipv4.src")
        destination = try reader.readIPv4Address(field: "ipv4.dst")
        options = try reader.readBytes(length: headerLength - WordCountedHeader.fixedLength, field: "ipv4.options")
        guard totalLength >= headerLength else {
            throw WireError(
                .lengthBelowMinimum(length: totalLength, minimum: headerLength),
                field: "ipv4.total_length", offset: totalLengthOffset)
        }
        guard totalLength - headerLength <= reader.remaining else {
            throw WireError(
                .lengthAboveMaximum(length: totalLength, maximum: headerLength + reader.remaining),
                field: "ipv4.total_length", offset: totalLengthOffset)
        }
        var body = try reader.readReader(length: totalLength - headerLength, field: "ipv4.payload")
        let isFragment = flagsAndOffset & 0x3fff != 0
        payload = isFragment ? .other(protocol: number, bytes: body.readRest()) : try Payload(number, parsing: &body)
    }

    /// Writes the packet with a freshly computed header checksum and, for TCP, UDP and ICMP,
    /// a freshly computed transport checksum (over the pseudo-header for TCP and UDP).
    public func write(to buffer: inout ByteBuffer) {
        let start = buffer.writerIndex
        buffer.writeInteger(4 << 4 | WordCountedHeader.words(options: options))
        buffer.writeInteger(tos)
        buffer.writeInteger(UInt16(truncatingIfNeeded: totalLength))
        buffer.writeInteger(identification)
        buffer.writeInteger(UInt16(flags.rawValue & 0x7) << 13 | fragmentOffset & 0x1fff)
        buffer.writeInteger(ttl)
        buffer.writeInteger(self.protocol.rawValue)
        buffer.writeInteger(UInt16(0))
        buffer.writeIPv4Address(source)
        buffer.writeIPv4Address(destination)
        WordCountedHeader.write(options: options, to: &buffer)
        // The header checksum covers exactly the bytes written so far.
        buffer.setChecksum(at: start + 10, covering: start, InternetChecksum())
        let payloadStart = buffer.writerIndex

        payload.write(to: &buffer)
        guard let position = payload.checksumOffset else { return }
        var checksum = InternetChecksum()
        if payload.usesPseudoHeader {
            checksum.add(source.rawValue)
            checksum.add(destination.rawValue)
            checksum.add(UInt16(self.protocol.rawValue))
            checksum.add(UInt16(truncatingIfNeeded: payload.length))
        }
        let isUDP = self.protocol == .udp
        buffer.setChecksum(at: payloadStart + position, covering: payloadStart, checksum, zeroMeansNone: isUDP)
    }

    /// The 3-bit flags field.
    public struct Flags: OptionSet, Hashable, Sendable {
        public let rawValue: UInt8
        public init(rawValue: UInt8) { self.rawValue = rawValue }
        public static let moreFragments = Flags(rawValue: 1 << 0)
        public static let dontFragment = Flags(rawValue: 1 << 1)
        /// Must be zero (RFC 791); kept so that a received packet is written back unchanged.
        public static let reserved = Flags(rawValue: 1 << 2)
    }

    public enum Payload: Hashable, Sendable {
        case tcp(TCPSegment)
        case udp(UDPDatagram)
        case icmp(ICMPMessage)
        /// Any other protocol, and the payload of every fragment: a fragment's bytes are only a
        /// piece of a transport segment, and rewriting its checksum would corrupt the whole.
        case other(protocol: IPProtocol, bytes: ByteBuffer)

        init(_ number: IPProtocol, parsing reader: inout WireReader) throws(WireError) {
            switch number {
            case .tcp: self = .tcp(try TCPSegment(parsing: &reader))
            case .udp: self = .udp(try UDPDatagram(parsing: &reader))
            case .icmp: self = .icmp(try ICMPMessage(parsing: &reader))
            default: self = .other(protocol: number, bytes: reader.readRest())
            }
        }

        public var `protocol`: IPProtocol {
            switch self {
            case .tcp: return .tcp
            case .udp: return .udp
            case .icmp: return .icmp
            case .other(let number, _): return number
            }
        }

        /// Encoded size in bytes.
        public var length: Int {
            switch self {
            case .tcp(let segment): return segment.length
            case .udp(let datagram): return datagram.length
            case .icmp(let message): return message.length
            case .other(_, let bytes): return bytes.readableBytes
            }
        }

        public func write(to buffer: inout ByteBuffer) {
            switch self {
            case .tcp(let segment): segment.write(to: &buffer)
            case .udp(let datagram): datagram.write(to: &buffer)
            case .icmp(let message): message.write(to: &buffer)
            case .other(_, let bytes): buffer.writeImmutableBuffer(bytes)
            }
        }

        /// Where the checksum field sits in the encoded payload, if it has one we compute.
        var checksumOffset: Int? {
            switch self {
            case .tcp: return TCPSegment.checksumOffset
            case .udp: return UDPDatagram.checksumOffset
            case .icmp: return ICMPMessage.checksumOffset
            case .other: return nil
            }
        }

        var usesPseudoHeader: Bool {
            switch self {
            case .tcp, .udp: return true
            case .icmp, .other: return false
            }
        }
    }
}

extension ByteBuffer {
    /// Completes `partial` with the bytes from `start` to the writer index, with the 16-bit
    /// field at `index` counted as zero, and stores the result there. `zeroMeansNone` is UDP's
    /// rule that a computed 0 is sent as 0xffff, since 0 means "no checksum".
    mutating func setChecksum(
        at index: Int, covering start: Int, _ partial: InternetChecksum, zeroMeansNone: Bool = false
    ) {
        var checksum = partial
        setInteger(UInt16(0), at: index)
        checksum.add(bytes: getSlice(at: start, length: writerIndex - start) ?? ByteBuffer())
        let value = checksum.value
        setInteger(zeroMeansNone && value == 0 ? 0xffff : value, at: index)
    }
}
