import NIOCore
import OpenFlow

/// An IEEE 802.1Q tag (or an 802.1ad service tag, which has the same layout).
///
/// The TPID is kept so that a frame that arrived with an 802.1ad tag is written back with one.
public struct VLANTag: Hashable, Sendable {
    /// The tag protocol identifier: `.vlan` (0x8100) or `.serviceVLAN` (0x88a8).
    public var tpid: EtherType
    /// Priority code point, 0...7.
    public var priority: UInt8
    /// Drop eligible indicator (the former CFI bit).
    public var dropEligible: Bool
    /// VLAN identifier, 0...4095; 0 marks a priority-only tag.
    public var vid: UInt16

    public init(tpid: EtherType = .vlan, priority: UInt8 = 0, dropEligible: Bool = false, vid: UInt16) {
        self.tpid = tpid
        self.priority = priority
        self.dropEligible = dropEligible
        self.vid = vid
    }

    /// The tag control information word; out-of-range values are masked to their fields' widths.
    public var tci: UInt16 {
        UInt16(priority & 0x7) << 13 | (dropEligible ? 0x1000 : 0) | vid & 0x0fff
    }

    /// Reads the TCI; the caller has already read the TPID to know that a tag is present.
    init(tpid: EtherType, parsing reader: inout WireReader) throws(WireError) {
        let tci: UInt16 = try reader.readInteger(field: "vlan.tci")
        self.init(tpid: tpid, priority: UInt8(tci >> 13), dropEligible: tci & 0x1000 != 0, vid: tci & 0x0fff)
    }

    public func write(to buffer: inout ByteBuffer) {
        buffer.writeInteger(tpid.rawValue)
        buffer.writeInteger(tci)
    }
}
