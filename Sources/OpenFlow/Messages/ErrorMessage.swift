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

extension ErrorMessage {
    /// How many bytes of a failed request an error carries (the specification asks for at least 64).
    public static let requestExcerptLength = 64

    /// The error the specification prescribes for a request that failed to parse with `error`,
    /// carrying the first bytes of the request.
    public init(answering error: WireError, request: ByteBuffer) {
        let excerpt =
            request.getSlice(at: request.readerIndex, length: min(Self.requestExcerptLength, request.readableBytes))
            ?? ByteBuffer()
        let field = error.field
        switch error.reason {
        case .unsupportedVersion:
            self.init(BadRequestCode.badVersion, data: excerpt)
        case .unknownType where field == "ofp_header.type":
            self.init(BadRequestCode.badType, data: excerpt)
        case .unknownType where field.hasPrefix("ofp_stats"):
            self.init(BadRequestCode.badStat, data: excerpt)
        case .unknownType where field.hasPrefix("ofp_action"):
            self.init(BadActionCode.badType, data: excerpt)
        case _ where field.hasPrefix("ofp_action"):
            self.init(BadActionCode.badLength, data: excerpt)
        default:
            self.init(BadRequestCode.badLength, data: excerpt)
        }
    }

    /// The first bytes of `request`, as an error's data.
    public init<Code: ErrorCode>(_ code: Code, excerptOf request: OpenFlowMessage) {
        let encoded = request.encoded()
        self.init(
            code,
            data: encoded.getSlice(at: 0, length: min(Self.requestExcerptLength, encoded.readableBytes)) ?? encoded)
    }
}
