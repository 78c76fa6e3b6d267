/// `ofp_stats_types`.
public struct StatsType: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    public let rawValue: UInt16
    public init(rawValue: UInt16) { self.rawValue = rawValue }

    public static let description = StatsType(rawValue: 0)
    public static let flow = StatsType(rawValue: 1)
    public static let aggregate = StatsType(rawValue: 2)
    public static let table = StatsType(rawValue: 3)
    public static let port = StatsType(rawValue: 4)
    public static let queue = StatsType(rawValue: 5)
    public static let vendor = StatsType(rawValue: 0xffff)

    public var description: String {
        switch self {
        case .description: return "OFPST_DESC"
        case .flow: return "OFPST_FLOW"
        case .aggregate: return "OFPST_AGGREGATE"
        case .table: return "OFPST_TABLE"
        case .port: return "OFPST_PORT"
        case .queue: return "OFPST_QUEUE"
        case .vendor: return "OFPST_VENDOR"
        default: return "OFPST_UNKNOWN(\(rawValue))"
        }
    }
}

/// `ofp_stats_reply_flags` (requests define none).
public struct StatsFlags: OptionSet, Hashable, Sendable {
    public let rawValue: UInt16
    public init(rawValue: UInt16) { self.rawValue = rawValue }
    /// More replies follow this one.
    public static let more = StatsFlags(rawValue: 1 << 0)
}

/// The body of a vendor statistics request or reply: a vendor id and what that vendor
/// defines, laid out exactly as the body of an OFPT_VENDOR message.
public typealias VendorStats = VendorMessage
