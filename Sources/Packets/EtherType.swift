/// The 16-bit field after the Ethernet addresses (or after a VLAN tag) that says what the
/// payload is. Values below 0x0600 are not types but IEEE 802.3 lengths.
public struct EtherType: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    public let rawValue: UInt16
    public init(rawValue: UInt16) { self.rawValue = rawValue }
    public init(_ rawValue: UInt16) { self.rawValue = rawValue }

    public static let ipv4 = EtherType(0x0800)
    public static let arp = EtherType(0x0806)
    /// IEEE 802.1Q customer VLAN tag.
    public static let vlan = EtherType(0x8100)
    /// IEEE 802.1ad service (outer, "Q-in-Q") tag; read like an 802.1Q tag.
    public static let serviceVLAN = EtherType(0x88a8)
    public static let ipv6 = EtherType(0x86dd)
    public static let lldp = EtherType(0x88cc)
    /// What Open vSwitch reports as `dl_type` for an 802.3 frame with no SNAP header,
    /// since such a frame has no type of its own (`ODP_DL_TYPE_NOT_ETH_TYPE`).
    public static let notEthernetII = EtherType(0x05ff)

    /// Smallest value that is a type rather than an 802.3 length.
    public static let ethernetIIMinimum: UInt16 = 0x0600

    /// Whether this value introduces a VLAN tag this library reads.
    public var isVLANTag: Bool { self == .vlan || self == .serviceVLAN }

    public var description: String {
        let hex = String(rawValue, radix: 16)
        return "0x" + String(repeating: "0", count: 4 - hex.count) + hex
    }
}
