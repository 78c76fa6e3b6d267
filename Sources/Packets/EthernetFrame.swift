import NIOCore
import OpenFlow

/// An Ethernet II frame as it travels in PACKET_IN and PACKET_OUT data, decoded down to the
/// protocols a controller acts on.
///
/// The EtherType is not stored: it is implied by `payload`, so a frame value cannot claim one
/// protocol and carry another. Bytes after the end of the decoded payload (Ethernet padding up
/// to the 60-byte minimum, or a trailer) are not part of the value.
public struct EthernetFrame: WireStructure {
    public var destination: MACAddress
    public var source: MACAddress
    /// The one 802.1Q (or 802.1ad) tag read; a second, inner tag is left in an `.other` payload.
    public var vlan: VLANTag?
    public var payload: Payload

    public enum Payload: Hashable, Sendable {
        case arp(ARPPacket)
        case ipv4(IPv4Packet)
        case ipv6(IPv6Packet)
        case lldp(LLDPPacket)
        /// Any other EtherType, or an 802.3 length (below 0x0600), with every byte after it.
        case other(etherType: EtherType, bytes: ByteBuffer)

        public var etherType: EtherType {
            switch self {
            case .arp: return .arp
            case .ipv4: return .ipv4
            case .ipv6: return .ipv6
            case .lldp: return .lldp
            case .other(let etherType, _): return etherType
            }
        }
    }

    public init(destination: MACAddress, source: MACAddress, vlan: VLANTag? = nil, payload: Payload) {
        self.destination = destination
        self.source = source
        self.vlan = vlan
        self.payload = payload
    }

    /// The EtherType after the VLAN tag, if any: the type of `payload`.
    public var etherType: EtherType { payload.etherType }

    /// Parses a whole frame, reporting offsets from its first byte.
    public init(parsing bytes: ByteBuffer) throws(WireError) {
        var reader = WireReader(bytes)
        try self.init(parsing: &reader)
    }

    public init(parsing reader: inout WireReader) throws(WireError) {
        destination = try reader.readMACAddress(field: "ethernet.dst")
        source = try reader.readMACAddress(field: "ethernet.src")
        var type = EtherType(try reader.readInteger(field: "ethernet.type"))
        if type.isVLANTag {
            vlan = try VLANTag(tpid: type, parsing: &reader)
            type = EtherType(try reader.readInteger(field: "vlan.type"))
        } else {
            vlan = nil
        }
        switch type {
        case .arp: payload = .arp(try ARPPacket(parsing: &reader))
        case .ipv4: payload = .ipv4(try IPv4Packet(parsing: &reader))
        case .ipv6: payload = .ipv6(try IPv6Packet(parsing: &reader))
        case .lldp: payload = .lldp(try LLDPPacket(parsing: &reader))
        default: payload = .other(etherType: type, bytes: reader.readRest())
        }
    }

    public func write(to buffer: inout ByteBuffer) {
        buffer.writeMACAddress(destination)
        buffer.writeMACAddress(source)
        vlan?.write(to: &buffer)
        buffer.writeInteger(etherType.rawValue)
        switch payload {
        case .arp(let packet): packet.write(to: &buffer)
        case .ipv4(let packet): packet.write(to: &buffer)
        case .ipv6(let packet): packet.write(to: &buffer)
        case .lldp(let packet): packet.write(to: &buffer)
        case .other(_, let bytes): buffer.writeImmutableBuffer(bytes)
        }
    }

    /// The frame's bytes, ready to be the data of a PACKET_OUT.
    public func encoded(allocator: ByteBufferAllocator = ByteBufferAllocator()) -> ByteBuffer {
        var buffer = allocator.buffer(capacity: 64)
        write(to: &buffer)
        return buffer
    }
}
