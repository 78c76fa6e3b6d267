import NIOCore

/// OFPT_ERROR (`ofp_error_msg`). `data` holds at least the first 64 bytes of the request that
/// failed (for HELLO_FAILED, an ASCII explanation).
public struct ErrorMessage: OpenFlowMessageBody {
    public static let messageType = MessageType.error
    public static let minimumLength = 12

    public var type: ErrorType
    public var code: UInt16
    public var data: ByteBuffer

    public init(type: ErrorType, code: UInt16, data: ByteBuffer = ByteBuffer()) {
        self.type = type
        self.code = code
        self.data = data
    }

    public init<Code: ErrorCode>(_ code: Code, data: ByteBuffer = ByteBuffer()) {
        self.init(type: Code.errorType, code: code.rawValue, data: data)
    }

    public init(parsing reader: inout WireReader) throws(WireError) {
        type = ErrorType(rawValue: try reader.readInteger(field: "ofp_error_msg.type"))
        code = try reader.readInteger(field: "ofp_error_msg.code")
        data = reader.readRest()
    }

    public func write(to buffer: inout ByteBuffer) {
        buffer.writeInteger(type.rawValue)
        buffer.writeInteger(code)
        buffer.writeImmutableBuffer(data)
    }

    /// The specification's name for this type and code, e.g. `OFPBRC_BAD_TYPE`.
    public var codeName: String {
        ErrorType.codeName(type: type, code: code)
    }
}
