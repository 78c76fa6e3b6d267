import NIOCore

/// `ofp_switch_config`: how the switch treats IP fragments, and how many bytes of a table-miss
/// packet it sends to the controller.
public struct SwitchConfig: Encodable, Hashable, Sendable {
    public var flags: ConfigFlags
    public var missSendLength: UInt16

    public init(flags: ConfigFlags = .fragmentNormal, missSendLength: UInt16 = 128) {
        self.flags = flags
        self.missSendLength = missSendLength
    }

    public init(parsing reader: inout WireReader) throws(WireError) {
        flags = ConfigFlags(rawValue: try reader.readInteger(field: "ofp_switch_config.flags"))
        missSendLength = try reader.readInteger(field: "ofp_switch_config.miss_send_len")
    }

    public func write(to buffer: inout ByteBuffer) {
        buffer.writeInteger(flags.rawValue)
        buffer.writeInteger(missSendLength)
    }

    /// `ofp_config_flags`: the fragment-handling mode in the low two bits.
    public struct ConfigFlags: RawRepresentable, Hashable, Sendable {
        public let rawValue: UInt16
        public init(rawValue: UInt16) { self.rawValue = rawValue }

        public static let fragmentNormal = ConfigFlags(rawValue: 0)
        public static let fragmentDrop = ConfigFlags(rawValue: 1)
        public static let fragmentReassemble = ConfigFlags(rawValue: 2)
        static let fragmentMask: UInt16 = 3

        public var fragmentHandling: String {
            switch rawValue & Self.fragmentMask {
            case 0: return "normal"
            case 1: return "drop"
            case 2: return "reassemble"
            default: return "invalid"
            }
        }
    }
}

/// A message whose whole body is an `ofp_switch_config`.
public protocol SwitchConfigBody: OpenFlowMessageBody {
    var config: SwitchConfig { get }
    init(config: SwitchConfig)
}

extension SwitchConfigBody {
    public static var minimumLength: Int { 12 }
    public static var isFixedSize: Bool { true }
    public init(parsing reader: inout WireReader) throws(WireError) {
        self.init(config: try SwitchConfig(parsing: &reader))
    }
    public func write(to buffer: inout ByteBuffer) { config.write(to: &buffer) }
}

/// OFPT_GET_CONFIG_REPLY.
public struct GetConfigReply: Encodable, SwitchConfigBody {
    public static let messageType = MessageType.getConfigReply
    public var config: SwitchConfig
    public init(config: SwitchConfig) { self.config = config }
}

/// OFPT_SET_CONFIG.
public struct SetConfig: Encodable, SwitchConfigBody {
    public static let messageType = MessageType.setConfig
    public var config: SwitchConfig
    public init(config: SwitchConfig) { self.config = config }
}
