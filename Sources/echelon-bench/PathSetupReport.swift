import Foundation

/// What path-setup mode prints: host pairs set up per second across the line of switches, and
/// every FLOW_MOD they took. Its fields follow `BenchReport`'s names where they mean the same.
struct PathSetupReport: Encodable {
    var mode = "path-setup"
    /// Switches on the line, and links between them (each path crosses all of them).
    var switches: Int
    var pathLength: Int
    /// FLOW_MODs a pair takes: one per switch per direction.
    var flowModsPerPair: Int
    /// Host pairs being set up at once.
    var window: Int
    var requestTimeoutSeconds: Double
    /// The unit's graph held every link before the pairs started.
    var graphComplete: Bool
    /// Seconds from every switch configured to the graph complete (or to giving up).
    var graphSeconds: Double
    /// Links in the graph when last read.
    var graphLinks: Int
    /// Pairs set up in the measured period, and per second.
    var pairs: UInt64 = 0
    var pairsPerSecond: Double = 0
    /// FLOW_MODs of the pairs received in the measured period, and per second.
    var flowMods: UInt64 = 0
    var flowModsPerSecond: Double = 0
    var timeouts: UInt64 = 0
    var flooded: UInt64 = 0
    var duplicateFlowMods: UInt64 = 0
    var lateFlowMods: UInt64 = 0
    var otherFlowMods: UInt64 = 0
    /// Pairs started and not yet set up when the measured period ended.
    var inFlight: Int = 0
    var elapsedSeconds: Double = 0
    /// Setup time of a pair, from its first PACKET_IN to its last FLOW_MOD.
    var latency: BenchReport.Latency?
    /// The graph was complete and every pair measured was set up or still in flight.
    var complete: Bool

    init(switches: Int, window: Int, requestTimeoutSeconds: Double, graph: LinkWait.Outcome) {
        self.switches = switches
        self.pathLength = switches - 1
        self.flowModsPerPair = 2 * switches
        self.window = window
        self.requestTimeoutSeconds = requestTimeoutSeconds
        self.graphComplete = graph.complete
        self.graphSeconds = graph.seconds
        self.graphLinks = graph.links
        self.complete = false
    }

    mutating func add(_ measured: PathSetupMeasurement) {
        pairs = measured.pairs
        pairsPerSecond = Double(measured.pairs) / measured.elapsedSeconds
        flowMods = measured.flowMods
        flowModsPerSecond = Double(measured.flowMods) / measured.elapsedSeconds
        timeouts = measured.timeouts
        flooded = measured.flooded
        duplicateFlowMods = measured.duplicateFlowMods
        lateFlowMods = measured.lateFlowMods
        otherFlowMods = measured.otherFlowMods
        inFlight = measured.inFlight
        elapsedSeconds = measured.elapsedSeconds
        latency = measured.latency
        complete = graphComplete && measured.timeouts == 0 && measured.pairs > 0
    }

    var text: String {
        let whole = { (value: Double) in String(Int(value.rounded())) }
        var lines = [
            "mode: path-setup, \(switches) switches in a line (\(pathLength) links), \(flowModsPerPair) FLOW_MODs per pair, "
                + "\(window) pairs in flight",
            "graph: \(graphLinks) of \(pathLength) links \(graphComplete ? "known" : "NOT known") after "
                + String(format: "%.1f", graphSeconds) + " s",
        ]
        guard graphComplete else { return lines.joined(separator: "\n") }
        lines.append(
            "path setup: \(whole(pairsPerSecond)) pairs/s (\(pairs) pairs in \(String(format: "%.1f", elapsedSeconds)) s)"
        )
        lines.append("FLOW_MODs: \(whole(flowModsPerSecond))/s (\(flowMods))")
        lines.append(
            "incomplete: \(timeouts) pairs given up after \(String(format: "%g", requestTimeoutSeconds)) s, "
                + "\(inFlight) in flight at the end, \(flooded) requests flooded instead of routed")
        lines.append(
            "other FLOW_MODs: \(duplicateFlowMods) duplicate, \(lateFlowMods) for pairs given up, \(otherFlowMods) not of a pair"
        )
        if let latency {
            lines.append(
                String(
                    format: "setup time: p50 %.1f µs, p90 %.1f µs, p99 %.1f µs, max %.1f µs", latency.p50Microseconds,
                    latency.p90Microseconds, latency.p99Microseconds, latency.maxMicroseconds))
        }
        return lines.joined(separator: "\n")
    }
}
