import NIOCore
import OpenFlow

/// A host (device) as a device event carries it between units: fixed size, 32 bytes.
///
/// ```
///  0: mac             6 bytes
///  6: vlan            u16   0xffff: untagged
///  8: ipv4            u32   0: none seen
/// 12: port            u16   where it attaches (the event's DPID is the switch)
/// 14: change          u8    0 none (added, removed), 1 ipv4, 2 vlan, 3 moved
/// 15: pad             1 byte
/// 16: previous dpid   u64   moved: where it was
/// 24: previous port   u16   moved
/// 26: previous vlan   u16   vlan changed (0xffff: untagged)
/// 28: previous ipv4   u32   ipv4 changed (0: none)
/// ```
public struct DeviceRecord: Hashable, Sendable {
    static let noVLAN: UInt16 = 0xffff

    public enum Change: Hashable, Sendable {
        case ipv4(from: IPv4Address?)
        case vlan(from: UInt16?)
        case moved(from: DatapathID, port: PortNumber)
    }

    public var mac: MACAddress
    public var vlan: UInt16?
    public var ipv4: IPv4Address?
    public var port: PortNumber
    public var change: Change?

    public init(mac: MACAddress, vlan: UInt16?, ipv4: IPv4Address?, port: PortNumber, change: Change? = nil) {
        self.mac = mac
        self.vlan = vlan
        self.ipv4 = ipv4
        self.port = port
        self.change = change
    }

    public init(parsing reader: inout WireReader) throws(WireError) {
        mac = try reader.readMACAddress(field: "device.mac")
        vlan = Self.vlan(try reader.readInteger(as: UInt16.self, field: "device.vlan"))
        ipv4 = Self.ipv4(try reader.readInteger(as: UInt32.self, field: "device.ipv4"))
        port = PortNumber(rawValue: try reader.readInteger(as: UInt16.self, field: "device.port"))
        let changeOffset = reader.offset
        let kind = try reader.readInteger(as: UInt8.self, field: "device.change")
        try reader.skip(1, field: "device.pad")
        let previousDPID = DatapathID(rawValue: try reader.readInteger(as: UInt64.self, field: "device.previous_dpid"))
        let previousPort = PortNumber(rawValue: try reader.readInteger(as: UInt16.self, field: "device.previous_port"))
        let previousVLAN = try reader.readInteger(as: UInt16.self, field: "device.previous_vlan")
        let previousIPv4 = try reader.readInteger(as: UInt32.self, field: "device.previous_ipv4")
        switch kind {
        case 0: change = nil
        case 1: change = .ipv4(from: Self.ipv4(previousIPv4))
        case 2: change = .vlan(from: Self.vlan(previousVLAN))
        case 3: change = .moved(from: previousDPID, port: previousPort)
        default: throw WireError(.invalidValue(UInt64(kind)), field: "device.change", offset: changeOffset)
        }
    }

    public func write(to buffer: inout ByteBuffer) {
        buffer.writeMACAddress(mac)
        buffer.writeInteger(vlan ?? Self.noVLAN)
        buffer.writeInteger(ipv4?.rawValue ?? 0)
        buffer.writeInteger(port.rawValue)
        var previous: (kind: UInt8, dpid: UInt64, port: UInt16, vlan: UInt16, ipv4: UInt32) = (0, 0, 0, Self.noVLAN, 0)
        switch change {
        case nil: break
        case .ipv4(let from):
            previous.kind = 1
            previous.ipv4 = from?.rawValue ?? 0
        case .vlan(let from):
            previous.kind = 2
            previous.vlan = from ?? Self.noVLAN
        case .moved(let dpid, let port):
            previous.kind = 3
            previous.dpid = dpid.rawValue
            previous.port = port.rawValue
        }
        buffer.writeInteger(previous.kind)
        buffer.writePadding(1)
        buffer.writeInteger(previous.dpid)
        buffer.writeInteger(previous.port)
        buffer.writeInteger(previous.vlan)
        buffer.writeInteger(previous.ipv4)
    }

    private static func vlan(_ raw: UInt16) -> UInt16? { raw == noVLAN ? nil : raw }
    private static func ipv4(_ raw: UInt32) -> IPv4Address? { raw == 0 ? nil : IPv4Address(rawValue: raw) }
}
