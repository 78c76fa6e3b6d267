/// `ofp_type`: the message type in the OpenFlow header.
public struct MessageType: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    public let rawValue: UInt8
    public init(rawValue: UInt8) { self.rawValue = rawValue }

    public static let hello = MessageType(rawValue: 0)
    public static let error = MessageType(rawValue: 1)
    public static let echoRequest = MessageType(rawValue: 2)
    public static let echoReply = MessageType(rawValue: 3)
    public static let vendor = MessageType(rawValue: 4)
    public static let featuresRequest = MessageType(rawValue: 5)
    public static let featuresReply = MessageType(rawValue: 6)
    public static let getConfigRequest = MessageType(rawValue: 7)
    public static let getConfigReply = MessageType(rawValue: 8)
    public static let setConfig = MessageType(rawValue: 9)
    public static let packetIn = MessageType(rawValue: 10)
    public static let flowRemoved = MessageType(rawValue: 11)
    public static let portStatus = MessageType(rawValue: 12)
    public static let packetOut = MessageType(rawValue: 13)
    public static let flowMod = MessageType(rawValue: 14)
    public static let portMod = MessageType(rawValue: 15)
    public static let statsRequest = MessageType(rawValue: 16)
    public static let statsReply = MessageType(rawValue: 17)
    public static let barrierRequest = MessageType(rawValue: 18)
    public static let barrierReply = MessageType(rawValue: 19)
    public static let queueGetConfigRequest = MessageType(rawValue: 20)
    public static let queueGetConfigReply = MessageType(rawValue: 21)

    static let names = [
        "HELLO", "ERROR", "ECHO_REQUEST", "ECHO_REPLY", "VENDOR", "FEATURES_REQUEST",
        "FEATURES_REPLY", "GET_CONFIG_REQUEST", "GET_CONFIG_REPLY", "SET_CONFIG", "PACKET_IN",
        "FLOW_REMOVED", "PORT_STATUS", "PACKET_OUT", "FLOW_MOD", "PORT_MOD", "STATS_REQUEST",
        "STATS_REPLY", "BARRIER_REQUEST", "BARRIER_REPLY", "QUEUE_GET_CONFIG_REQUEST",
        "QUEUE_GET_CONFIG_REPLY",
    ]

    /// The specification's name, e.g. `OFPT_PACKET_IN`.
    public var description: String {
        Int(rawValue) < Self.names.count ? "OFPT_" + Self.names[Int(rawValue)] : "OFPT_UNKNOWN(\(rawValue))"
    }
}
