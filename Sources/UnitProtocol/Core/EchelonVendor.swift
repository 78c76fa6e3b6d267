import OpenFlow

/// Where the unit protocol sits inside OpenFlow: unit messages travel in OFPT_VENDOR messages
/// with Echelon's vendor id, each a 4-byte unit header and a body.
///
/// ```
///  0: ofp_header        version 0x01, type OFPT_VENDOR (4), length, xid
///  8: vendor            0x00454348 ("\0ECH")
/// 12: unit version      2 (1 had no deadline in ECH_EVENT)
/// 13: subtype           UnitMessageType
/// 14: length            of this unit message from its unit header on; 0: to the end
/// 16: body
///     [unit header and body of the next unit message, when the length was not 0 ...]
/// ```
///
/// A vendor message carries one unit message (length 0, as every message but the packed ones
/// is sent) or several packed back to back (`UnitMessagePacker`, `UnitMessagePack`): every one
/// but the last gives its length, and the last may give 0.
public enum EchelonVendor {
    /// The vendor id: a zero top byte, as OpenFlow asks of OUI-based ids, then "ECH" in ASCII,
    /// so that the messages stand out in a hex dump.
    public static let id: UInt32 = 0x0045_4348
    /// The unit protocol version this build speaks.
    public static let version: UInt8 = 2
    /// Offset of the unit header in the whole OpenFlow message.
    public static let unitHeaderOffset = VendorMessage.minimumLength
    /// Size of the unit header (version, subtype, length).
    public static let unitHeaderSize = 4
    /// Offset of a unit message's body in the whole OpenFlow message.
    public static let bodyOffset = unitHeaderOffset + unitHeaderSize
}
