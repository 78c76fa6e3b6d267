import NIOCore

/// OFPT_VENDOR (`ofp_vendor_header`): an extension message identified by a vendor id.
/// Echelon's own inter-unit protocol travels in these.
public struct VendorMessage: OpenFlowMessageBody, WireStructure {
    public static let messageType = MessageType.vendor
    public static let minimumLength = 12

    public var vendor: UInt32
    public var payload: ByteBuffer

    public init(vendor: UInt32, payload: ByteBuffer = ByteBuffer()) {
        self.vendor = vendor
        self.payload = payload
    }

    public init(parsing reader: inout WireReader) throws(WireError) {
        vendor = try Self.readVendorID(&reader)
        payload = reader.readRest()
    }

    private static func readVendorID(_ reader: inout WireReader) throws(WireError) -> UInt32 {
        try reader.readInteger(field: "ofp_vendor_header.vendor")
    }

    public func write(to buffer: inout ByteBuffer) {
        buffer.writeInteger(vendor)
        buffer.writeImmutableBuffer(payload)
    }
}

extension VendorMessage {
    /// A reader over the body (from the vendor id on) of the vendor message that `frame` holds
    /// (exactly one message, as a frame decoder cuts it), after the checks and with the errors of
    /// `OpenFlowMessage(parsing:)`, which guarantee the vendor id is there; nil when the frame is
    /// of another type. No message value is built: a unit channel reads its events and returns
    /// from the frame, with the vendor id and the unit header in one view.
    public static func body(inFrame frame: ByteBuffer) throws(WireError) -> WireReader? {
        let (header, reader) = try OpenFlowMessage.split(frame, maximumLength: OpenFlowHeader.maximumLength)
        guard header.type == .vendor else { return nil }
        try OpenFlowMessage.checkHeader(header, of: VendorMessage.self)
        return reader
    }
}
