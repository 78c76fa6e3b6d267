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
        vendor = try reader.readInteger(field: "ofp_vendor_header.vendor")
        payload = reader.readRest()
    }

    public func write(to buffer: inout ByteBuffer) {
        buffer.writeInteger(vendor)
        buffer.writeImmutableBuffer(payload)
    }
}

extension VendorMessage {
    /// The xid, the vendor id and a reader over the payload of the vendor message that `frame`
    /// holds (exactly one message, as a frame decoder cuts it), read with the checks and errors
    /// of `OpenFlowMessage(parsing:)`; nil when the frame is of another type. The payload is not
    /// copied out into a message value: a unit channel reads its events and returns from it.
    public static func payload(inFrame frame: ByteBuffer) throws(WireError) -> (xid: UInt32, vendor: UInt32, payload: WireReader)? {
        var (header, reader) = try OpenFlowMessage.split(frame, maximumLength: OpenFlowHeader.maximumLength)
        guard header.type == .vendor else { return nil }
        try OpenFlowMessage.checkVersion(header)
        try OpenFlowMessage.checkLength(VendorMessage.self, length: Int(header.length))
        let vendor = try reader.readInteger(as: UInt32.self, field: "ofp_vendor_header.vendor")
        return (header.xid, vendor, reader)
    }
}
