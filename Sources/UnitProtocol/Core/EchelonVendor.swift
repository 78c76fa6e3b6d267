import OpenFlow

/// Where the unit protocol sits inside OpenFlow: every unit message is an OFPT_VENDOR message
/// with Echelon's vendor id, followed by a 4-byte unit header.
///
/// ```
///  0: ofp_header        version 0x01, type OFPT_VENDOR (4), length, xid
///  8: vendor            0x00454348 ("\0ECH")
/// 12: unit version      1
/// 13: subtype           UnitMessageType
/// 14: reserved          zero when sent, ignored when read
/// 16: body
/// ```
public enum EchelonVendor {
    /// The vendor id: a zero top byte, as OpenFlow asks of OUI-based ids, then "ECH" in ASCII,
    /// so that the messages stand out in a hex dump.
    public static let id: UInt32 = 0x0045_4348
    /// The unit protocol version this build speaks.
    public static let version: UInt8 = 1
    /// Offset of the unit header in the whole OpenFlow message.
    public static let unitHeaderOffset = VendorMessage.minimumLength
    /// Size of the unit header (version, subtype, reserved).
    public static let unitHeaderSize = 4
    /// Offset of a unit message's body in the whole OpenFlow message.
    public static let bodyOffset = unitHeaderOffset + unitHeaderSize
}
