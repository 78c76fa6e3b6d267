import ControlPlane
import OpenFlow

/// `/switches/{dpid}/flows`: one entry of a switch's flow table, read with a flow-stats
/// request, written as `ovs-ofctl dump-flows` writes it.
public struct FlowView: Codable, Hashable, Sendable {
    public var table: UInt8
    public var priority: UInt16
    public var match: String
    public var actions: String
    public var packets: UInt64
    public var bytes: UInt64
    public var durationSeconds: Double
    public var idleTimeout: UInt16
    public var hardTimeout: UInt16
    public var cookie: UInt64

    init(_ entry: FlowStats) {
        table = entry.tableID
        priority = entry.priority
        match = entry.match.description
        actions = entry.actions.actionsDescription
        packets = entry.packetCount
        bytes = entry.byteCount
        durationSeconds = Double(entry.durationSeconds) + Double(entry.durationNanoseconds) / 1e9
        idleTimeout = entry.idleTimeout
        hardTimeout = entry.hardTimeout
        cookie = entry.cookie
    }
}

/// Why a switch's flow table could not be read.
enum FlowTableError: Error, CustomStringConvertible {
    case notConnected(DatapathID)
    case noAnswer(DatapathID)
    case unexpectedReply(StatsType)

    var description: String {
        switch self {
        case .notConnected(let dpid): "switch \(dpid) is not connected to this unit"
        case .noAnswer(let dpid): "switch \(dpid) did not answer the flow-stats request in time"
        case .unexpectedReply(let type): "the switch answered with \(type) statistics, not flow statistics"
        }
    }
}
