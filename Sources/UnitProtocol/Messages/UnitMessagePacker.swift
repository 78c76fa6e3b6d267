import NIOCore
import OpenFlow

/// Packs unit messages written one after another into a buffer into as few vendor messages as
/// the 16-bit OpenFlow length allows (the format `UnitMessagePack` reads).
///
/// Each message is written whole, as `UnitMessage.write(to:xid:)` and the direct writers write
/// it; the packer then folds it into the vendor message before it when that one is open and
/// has room: it sets the length of the message that was last, moves the new one's unit header
/// and body over its OpenFlow header and vendor id, and grows the vendor message's length. A
/// unit channel packs the events and returns of a burst this way, so that the unit reading
/// them frames and checks one OpenFlow message instead of one per event.
public struct UnitMessagePacker: Sendable {
    /// Where the open vendor message starts, where its last unit message starts (its unit
    /// header) and where it ends, as writer indexes of the buffer being packed.
    private var open: (start: Int, last: Int, end: Int)?
    /// The longest vendor message it makes (a message longer than that alone is left alone).
    public let maximumLength: Int

    /// `maximumLength` at most the OpenFlow maximum. A unit channel packs less than that: its
    /// reader copies a vendor message that straddles two socket reads, and a read holds at most
    /// one maximal one, so nearly every such message would be copied whole.
    public init(maximumLength: Int = OpenFlowHeader.maximumLength) {
        self.maximumLength = min(maximumLength, OpenFlowHeader.maximumLength)
    }

    /// What the OpenFlow header and the vendor id take before the first unit header.
    private static let carrierSize = EchelonVendor.unitHeaderOffset

    /// Appends the one whole unit message `write` writes (as `UnitMessage.write(to:xid:)` and
    /// the direct writers write it) to `buffer`, packed with the messages appended here before
    /// it when the open vendor message ends where it starts and has room. Nothing else may be
    /// written to the buffer between two appends without `close()`.
    public mutating func append(to buffer: inout ByteBuffer, _ write: (inout ByteBuffer) -> Void) {
        let start = buffer.writerIndex
        write(&buffer)
        pack(&buffer, messageAt: start)
    }

    private mutating func pack(_ buffer: inout ByteBuffer, messageAt start: Int) {
        let end = buffer.writerIndex
        let unitLength = end - start - Self.carrierSize
        let alone = (start: start, last: start + Self.carrierSize, end: end)
        guard let current = open, current.end == start,
            start - current.start + unitLength <= maximumLength,
            current.start >= buffer.readerIndex
        else {
            open = alone
            return
        }
        let packedEnd = start + unitLength
        // In one view of the bytes: the new message's unit header and body move over its
        // OpenFlow header and vendor id, the message that was last gets its length (it no
        // longer runs to the end), and the vendor message grows.
        let base = current.start - buffer.readerIndex
        let moved = buffer.withUnsafeMutableReadableBytes { bytes in
            guard let pointer = bytes.baseAddress.map({ $0 + base }) else { return false }
            let from = start - current.start
            (pointer + from).copyMemory(from: pointer + from + Self.carrierSize, byteCount: unitLength)
            Self.store(UInt16(start - current.last), at: pointer + current.last - current.start + 2)
            Self.store(UInt16(packedEnd - current.start), at: pointer + 2)
            return true
        }
        guard moved else {
            open = alone
            return
        }
        buffer.moveWriterIndex(to: packedEnd)
        open = (current.start, start, packedEnd)
    }

    private static func store(_ value: UInt16, at pointer: UnsafeMutableRawPointer) {
        pointer.storeBytes(of: value.bigEndian, as: UInt16.self)
    }

    /// The next message starts a vendor message of its own (the buffer was written or cleared,
    /// or something else was appended).
    public mutating func close() {
        open = nil
    }
}
