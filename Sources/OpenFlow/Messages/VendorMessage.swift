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
