import NIOCore

/// OFPT_STATS_REPLY (`ofp_stats_reply`).
public struct StatsReply: OpenFlowMessageBody {
    public static let messageType = MessageType.statsReply
    public static let minimumLength = 12

    public var flags: StatsFlags
    public var body: Body

    public enum Body: Hashable, Sendable {
        case description(DescriptionStats)
        case flow([FlowStats])
        case aggregate(AggregateStats)
        case table([TableStats])
        case port([PortStats])
        case queue([QueueStats])
        case vendor(VendorStats)
    }

    public init(flags: StatsFlags = [], _ body: Body) {
        self.flags = flags
        self.body = body
    }

    public var type: StatsType {
        switch body {
        case .description: return .description
        case .flow: return .flow
        case .aggregate: return .aggregate
        case .table: return .table
        case .port: return .port
        case .queue: return .queue
        case .vendor: return .vendor
        }
    }

    public init(parsing reader: inout WireReader) throws(WireError) {
        let typeOffset = reader.offset
        let type = StatsType(rawValue: try reader.readInteger(field: "ofp_stats_reply.type"))
        flags = StatsFlags(rawValue: try reader.readInteger(field: "ofp_stats_reply.flags"))
        switch type {
        case .description:
            body = .description(try reader.readStatsBody(DescriptionStats.self, field: "ofp_desc_stats"))
        case .flow:
            body = .flow(try reader.readVariableEntries(FlowStats.self))
        case .aggregate:
            body = .aggregate(try reader.readStatsBody(AggregateStats.self, field: "ofp_aggregate_stats_reply"))
        case .table:
            body = .table(try reader.readEntries(TableStats.self, field: "ofp_table_stats"))
        case .port:
            body = .port(try reader.readEntries(PortStats.self, field: "ofp_port_stats"))
        case .queue:
            body = .queue(try reader.readEntries(QueueStats.self, field: "ofp_queue_stats"))
        case .vendor:
            body = .vendor(try VendorStats(parsing: &reader))
        default:
            throw WireError(.unknownType(UInt64(type.rawValue)), field: "ofp_stats_reply.type", offset: typeOffset)
        }
    }

    public func write(to buffer: inout ByteBuffer) {
        buffer.writeInteger(type.rawValue)
        buffer.writeInteger(flags.rawValue)
        switch body {
        case .description(let stats): stats.write(to: &buffer)
        case .flow(let entries): buffer.writeEntries(entries)
        case .aggregate(let stats): stats.write(to: &buffer)
        case .table(let entries): buffer.writeEntries(entries)
        case .port(let entries): buffer.writeEntries(entries)
        case .queue(let entries): buffer.writeEntries(entries)
        case .vendor(let vendor): vendor.write(to: &buffer)
        }
    }
}
