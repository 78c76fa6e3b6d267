/// `ofp_error_type`.
public struct ErrorType: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    public let rawValue: UInt16
    public init(rawValue: UInt16) { self.rawValue = rawValue }

    public static let helloFailed = ErrorType(rawValue: 0)
    public static let badRequest = ErrorType(rawValue: 1)
    public static let badAction = ErrorType(rawValue: 2)
    public static let flowModFailed = ErrorType(rawValue: 3)
    public static let portModFailed = ErrorType(rawValue: 4)
    public static let queueOpFailed = ErrorType(rawValue: 5)

    /// Names per type: the type's own, the prefix of its codes, and the codes in order.
    static let table: [(name: String, prefix: String, codes: [String])] = [
        ("HELLO_FAILED", "OFPHFC_", ["INCOMPATIBLE", "EPERM"]),
        (
            "BAD_REQUEST", "OFPBRC_",
            [
                "BAD_VERSION", "BAD_TYPE", "BAD_STAT", "BAD_VENDOR", "BAD_SUBTYPE", "EPERM", "BAD_LEN", "BUFFER_EMPTY",
                "BUFFER_UNKNOWN",
            ]
        ),
        (
            "BAD_ACTION", "OFPBAC_",
            [
                "BAD_TYPE", "BAD_LEN", "BAD_VENDOR", "BAD_VENDOR_TYPE", "BAD_OUT_PORT", "BAD_ARGUMENT", "EPERM",
                "TOO_MANY", "BAD_QUEUE",
            ]
        ),
        (
            "FLOW_MOD_FAILED", "OFPFMFC_",
            ["ALL_TABLES_FULL", "OVERLAP", "EPERM", "BAD_EMERG_TIMEOUT", "BAD_COMMAND", "UNSUPPORTED"]
        ),
        ("PORT_MOD_FAILED", "OFPPMFC_", ["BAD_PORT", "BAD_HW_ADDR"]),
        ("QUEUE_OP_FAILED", "OFPQOFC_", ["BAD_PORT", "BAD_QUEUE", "EPERM"]),
    ]

    public var description: String {
        Int(rawValue) < Self.table.count ? "OFPET_" + Self.table[Int(rawValue)].name : "OFPET_UNKNOWN(\(rawValue))"
    }

    static func codeName(type: ErrorType, code: UInt16) -> String {
        guard Int(type.rawValue) < table.count else { return "code \(code)" }
        let entry = table[Int(type.rawValue)]
        return Int(code) < entry.codes.count ? entry.prefix + entry.codes[Int(code)] : "\(entry.prefix)UNKNOWN(\(code))"
    }
}

/// A code belonging to one error type, so that an error can be built as `ErrorMessage(BadRequestCode.badType)`.
public protocol ErrorCode: RawRepresentable<UInt16>, Sendable {
    static var errorType: ErrorType { get }
}

/// `ofp_hello_failed_code`.
public enum HelloFailedCode: UInt16, ErrorCode, CaseIterable {
    public static let errorType = ErrorType.helloFailed
    case incompatible = 0
    case permissionDenied
}

/// `ofp_bad_request_code`.
public enum BadRequestCode: UInt16, ErrorCode, CaseIterable {
    public static let errorType = ErrorType.badRequest
    case badVersion = 0
    case badType, badStat, badVendor, badSubtype, permissionDenied, badLength, bufferEmpty, bufferUnknown
}

/// `ofp_bad_action_code`.
public enum BadActionCode: UInt16, ErrorCode, CaseIterable {
    public static let errorType = ErrorType.badAction
    case badType = 0
    case badLength, badVendor, badVendorType, badOutPort, badArgument, permissionDenied, tooMany, badQueue
}

/// `ofp_flow_mod_failed_code`.
public enum FlowModFailedCode: UInt16, ErrorCode, CaseIterable {
    public static let errorType = ErrorType.flowModFailed
    case allTablesFull = 0
    case overlap, permissionDenied, badEmergencyTimeout, badCommand, unsupported
}

/// `ofp_port_mod_failed_code`.
public enum PortModFailedCode: UInt16, ErrorCode, CaseIterable {
    public static let errorType = ErrorType.portModFailed
    case badPort = 0
    case badHardwareAddress
}

/// `ofp_queue_op_failed_code`.
public enum QueueOpFailedCode: UInt16, ErrorCode, CaseIterable {
    public static let errorType = ErrorType.queueOpFailed
    case badPort = 0
    case badQueue, permissionDenied
}
