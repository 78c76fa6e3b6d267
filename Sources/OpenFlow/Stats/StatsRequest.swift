import NIOCore

/// OFPT_STATS_REQUEST (`ofp_stats_request`).
public struct StatsRequest: OpenFlowMessageBody {
    public static let messageType = MessageType.statsRequest
    public static let minimumLength = 12

    public var flags: StatsFlags
    public var body: Body

    public enum Body: Hashable, Sendable {
        case description
        case flow(FlowStatsRequest)
        case aggregate(FlowStatsRequest)
        case table
        case port(PortStatsRequest)
        case queue(QueueStatsRequest)
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
        let type = StatsType(rawValue: try reader.readInteger(field: "ofp_stats_request.type"))
        flags = StatsFlags(rawValue: try reader.readInteger(field: "ofp_stats_request.flags"))
        switch type {
        case .description:
            try reader.expectEmptyStatsBody(field: "ofp_stats_request.body")
            body = .description
        case .flow:
            body = .flow(try reader.readStatsBody(FlowStatsRequest.self, field: "ofp_flow_stats_request"))
        case .aggregate:
            body = .aggregate(try reader.readStatsBody(FlowStatsRequest.self, field: "ofp_aggregate_stats_request"))
        case .table:
            try reader.expectEmptyStatsBody(field: "ofp_stats_request.body")
            body = .table
        case .port:
            body = .port(try reader.readStatsBody(PortStatsRequest.self, field: "ofp_port_stats_request"))
        case .queue:
            body = .queue(try reader.readStatsBody(QueueStatsRequest.self, field: "ofp_queue_stats_request"))
        case .vendor:
            body = .vendor(try VendorStats(parsing: &reader))
        default:
            throw WireError(.unknownType(UInt64(type.rawValue)), field: "ofp_stats_request.type", offset: typeOffset)
        }
    }

    public func write(to buffer: inout ByteBuffer) {
        buffer.writeInteger(type.rawValue)
        buffer.writeInteger(flags.rawValue)
        switch body {
        case .description, .table: break
        case .flow(let request), .aggregate(let request): request.write(to: &buffer)
        case .port(let request): request.write(to: &buffer)
        case .queue(let request): request.write(to: &buffer)
        case .vendor(let vendor): vendor.write(to: &buffer)
        }
    }
}

extension WireReader {
    /// Reads a stats body that must be exactly one fixed-size structure.
    mutating func readStatsBody<Body: FixedSizeWireStructure>(_: Body.Type, field: String) throws(WireError) -> Body {
        guard remaining == Body.size else {
            throw WireError(.wrongBodySize(size: remaining, expected: Body.size), field: field, offset: offset)
        }
        return try Body(parsing: &self)
    }

    func expectEmptyStatsBody(field: String) throws(WireError) {
        guard isAtEnd else {
            throw WireError(.wrongBodySize(size: remaining, expected: 0), field: field, offset: offset)
        }
    }
}
