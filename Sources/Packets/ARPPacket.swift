import NIOCore
import OpenFlow

/// An ARP packet for IPv4 over Ethernet, the only combination a controller meets; any other
/// hardware or protocol type is rejected rather than half-decoded.
public struct ARPPacket: FixedSizeWireStructure {
    public static let size = 28

    public var operation: Operation
    public var senderHardwareAddress: MACAddress
    public var senderProtocolAddress: IPv4Address
    public var targetHardwareAddress: MACAddress
    public var targetProtocolAddress: IPv4Address

    public init(
        operation: Operation, senderHardwareAddress: MACAddress, senderProtocolAddress: IPv4Address,
        targetHardwareAddress: MACAddress, targetProtocolAddress: IPv4Address
    ) {
        self.operation = operation
        self.senderHardwareAddress = senderHardwareAddress
        self.senderProtocolAddress = senderProtocolAddress
        self.targetHardwareAddress = targetHardwareAddress
        self.targetProtocolAddress = targetProtocolAddress
    }

    public init(parsing reader: inout WireReader) throws(WireError) {
        try reader.readExpected(UInt16(1), field: "arp.htype")
        try reader.readExpected(EtherType.ipv4.rawValue, field: "arp.ptype")
        try reader.readExpected(UInt8(6), field: "arp.hlen")
        try reader.readExpected(UInt8(4), field: "arp.plen")
        operation = Operation(rawValue: try reader.readInteger(field: "arp.oper"))
        senderHardwareAddress = try reader.readMACAddress(field: "arp.sha")
        senderProtocolAddress = try reader.readIPv4Address(field: "arp.spa")
        targetHardwareAddress = try reader.readMACAddress(field: "arp.tha")
        targetProtocolAddress = try reader.readIPv4Address(field: "arp.tpa")
    }

    public func write(to buffer: inout ByteBuffer) {
        buffer.writeInteger(UInt16(1))
        buffer.writeInteger(EtherType.ipv4.rawValue)
        buffer.writeInteger(UInt8(6))
        buffer.writeInteger(UInt8(4))
        buffer.writeInteger(operation.rawValue)
        buffer.writeMACAddress(senderHardwareAddress)
        buffer.writeIPv4Address(senderProtocolAddress)
        buffer.writeMACAddress(targetHardwareAddress)
        buffer.writeIPv4Address(targetProtocolAddress)
    }

    /// The ARP opcode. Kept open (not an enum) because RARP and InARP codes exist and a
    /// controller must be able to see and forward them.
    public struct Operation: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
        public let rawValue: UInt16
        public init(rawValue: UInt16) { self.rawValue = rawValue }
        public static let request = Operation(rawValue: 1)
        public static let reply = Operation(rawValue: 2)

        public var description: String {
            switch self {
            case .request: return "request"
            case .reply: return "reply"
            default: return "op(\(rawValue))"
            }
        }
    }
}

extension ARPPacket {
    /// The reply a host owning `targetProtocolAddress` at `hardwareAddress` would send: how a
    /// controller answers ARP on the hosts' behalf (proxy ARP) instead of flooding the request.
    public func reply(from hardwareAddress: MACAddress) -> ARPPacket {
        ARPPacket(
            operation: .reply,
            senderHardwareAddress: hardwareAddress, senderProtocolAddress: targetProtocolAddress,
            targetHardwareAddress: senderHardwareAddress, targetProtocolAddress: senderProtocolAddress)
    }
}

extension EthernetFrame {
    /// A unicast ARP reply from `senderMAC`/`senderIP` to `targetMAC`/`targetIP`.
    public static func arpReply(
        senderMAC: MACAddress, senderIP: IPv4Address, targetMAC: MACAddress, targetIP: IPv4Address,
        vlan: VLANTag? = nil
    ) -> EthernetFrame {
        let reply = ARPPacket(
            operation: .reply, senderHardwareAddress: senderMAC, senderProtocolAddress: senderIP,
            targetHardwareAddress: targetMAC, targetProtocolAddress: targetIP)
        return EthernetFrame(destination: targetMAC, source: senderMAC, vlan: vlan, payload: .arp(reply))
    }

    /// The reply to this frame if it is an ARP request, answering that the requested address is
    /// at `hardwareAddress`. The reply goes to the requester's Ethernet address on the request's
    /// VLAN; `nil` if this frame is not an ARP request.
    public func arpReply(answering hardwareAddress: MACAddress) -> EthernetFrame? {
        guard case .arp(let request) = payload, request.operation == .request else { return nil }
        return EthernetFrame(
            destination: source, source: hardwareAddress, vlan: vlan,
            payload: .arp(request.reply(from: hardwareAddress)))
    }
}
