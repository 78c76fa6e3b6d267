import NIOCore
import OpenFlow

/// The unit messages one Echelon vendor message carries, read one after another.
///
/// A vendor message carries one unit message, or several packed back to back (see
/// `EchelonVendor`): each unit header's length field gives that message's length from its
/// unit header on, and 0 says it runs to the end of the vendor message. A unit sends a burst of
/// events or returns packed this way, so that the unit reading them frames and checks one
/// OpenFlow message for the burst instead of one per event.
///
/// Errors name the field and its offset in the whole OpenFlow message; a malformed message
/// ends the reading (the messages before it have been read).
public struct UnitMessagePack {
    /// From the next unit header on, with offsets from the start of the OpenFlow message.
    private var reader: WireReader
    private var started = false

    /// The unit messages in the vendor message `frame` holds (one whole OpenFlow message, as a
    /// frame decoder cuts it), with the errors of parsing the frame as an OpenFlow message; nil
    /// when the frame is of another type. No vendor message value is built.
    public init?(frame: ByteBuffer) throws(WireError) {
        guard var reader = try VendorMessage.body(inFrame: frame) else { return nil }
        try Self.readVendorID(&reader)
        self.reader = reader
    }

    /// The unit messages in a vendor message.
    public init(parsing vendor: VendorMessage) throws(WireError) {
        try Self.checkVendorID(vendor.vendor)
        self.reader = WireReader(vendor.payload, messageOffset: EchelonVendor.unitHeaderOffset)
    }

    /// The next unit message, or nil after the last. The first is always there: a vendor message
    /// of ours with nothing after the vendor id is cut short.
    public mutating func next() throws(WireError) -> UnitMessage? {
        guard !started || !reader.isAtEnd else { return nil }
        started = true
        return try read()
    }

    /// Hands each unit message still to read to `body` with its type, until `body` returns
    /// false. A message is well over a hundred bytes: read here, it goes to `body` where it
    /// lies, where `next` would move it through its return value and the optional around it.
    public mutating func readEach(_ body: (UnitMessageType, UnitMessage) -> Bool) throws(WireError) {
        while !started || !reader.isAtEnd {
            started = true
            let message = try read()
            guard body(message.type, message) else { return }
        }
    }

    private mutating func read() throws(WireError) -> UnitMessage {
        let header = try UnitHeader(reading: &reader)
        guard header.length != 0 else {
            return try UnitMessage(header: header, body: &reader)
        }
        let lengthOffset = reader.offset - 2
        guard Int(header.length) >= EchelonVendor.unitHeaderSize else {
            throw WireError(
                .lengthBelowMinimum(length: Int(header.length), minimum: EchelonVendor.unitHeaderSize),
                field: "echelon_header.length", offset: lengthOffset)
        }
        let bodyLength = Int(header.length) - EchelonVendor.unitHeaderSize
        guard bodyLength <= reader.remaining else {
            throw WireError(
                .truncated(needed: Int(header.length), available: reader.remaining + EchelonVendor.unitHeaderSize),
                field: "echelon_header.length",
                offset: lengthOffset)
        }
        var body = try reader.readReader(length: bodyLength, field: "echelon_header.length")
        return try UnitMessage(header: header, body: &body)
    }

    /// Every unit message still to read, in order (for tools; a unit channel dispatches each as
    /// `next` reads it).
    public mutating func readAll() throws(WireError) -> [UnitMessage] {
        var messages: [UnitMessage] = []
        while let message = try next() { messages.append(message) }
        return messages
    }

    /// The one unit message the vendor message carries; more than one is an error.
    public mutating func sole() throws(WireError) -> UnitMessage {
        // `next` reads the first message or throws.
        guard let message = try next() else { preconditionFailure("the first unit message is read or refused") }
        guard reader.isAtEnd else {
            throw WireError(
                .trailingBytes(count: reader.remaining), field: "unit messages packed after the first",
                offset: reader.offset)
        }
        return message
    }

    private static func readVendorID(_ reader: inout WireReader) throws(WireError) {
        try checkVendorID(try reader.readInteger(as: UInt32.self, field: "ofp_vendor_header.vendor"))
    }

    private static func checkVendorID(_ vendor: UInt32) throws(WireError) {
        guard vendor == EchelonVendor.id else {
            throw WireError(
                .unknownType(UInt64(vendor)), field: "ofp_vendor_header.vendor", offset: OpenFlowHeader.size)
        }
    }
}

/// The unit header of one unit message: version, subtype, length.
struct UnitHeader {
    var version: UInt8
    var subtype: UnitMessageType
    /// From the unit header through the body; 0 when the message runs to the end of the vendor message.
    var length: UInt16

    static let layout = FixedLayout([
        "echelon_header.version": 1, "echelon_header.subtype": 1, "echelon_header.length": 2,
    ])

    /// Reads the header in one view, or field by field when it is cut short (so that a wrong
    /// version is reported before a missing field), and checks the version.
    init(reading reader: inout WireReader) throws(WireError) {
        let versionOffset = reader.offset
        if reader.remaining >= EchelonVendor.unitHeaderSize {
            (version, subtype, length) = try reader.readFixed(Self.layout) { field in
                let version: UInt8 = field.read()
                let subtype: UInt8 = field.read()
                let length: UInt16 = field.read()
                return (version, UnitMessageType(rawValue: subtype), length)
            }
        } else {
            version = try reader.readInteger(field: "echelon_header.version")
            guard version == EchelonVendor.version else { throw Self.unsupportedVersion(version, at: versionOffset) }
            subtype = UnitMessageType(rawValue: try reader.readInteger(field: "echelon_header.subtype"))
            length = try reader.readInteger(field: "echelon_header.length")
        }
        guard version == EchelonVendor.version else { throw Self.unsupportedVersion(version, at: versionOffset) }
    }

    private static func unsupportedVersion(_ version: UInt8, at offset: Int) -> WireError {
        WireError(.unsupportedVersion(version), field: "echelon_header.version", offset: offset)
    }
}
