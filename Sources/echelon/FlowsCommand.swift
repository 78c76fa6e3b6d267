import ArgumentParser
import Foundation
import Runtime

/// `echelon flows`: a switch's flow table, read through the unit it is connected to.
struct FlowsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "flows",
        abstract: "Print a switch's flow table, read with a flow-stats request through its unit.")

    @OptionGroup var options: UnitAddressOptions

    @Option(
        name: .customLong("switch"), help: "The switch's datapath ID, in hexadecimal (as `echelon switches` prints it)."
    )
    var datapathID: String

    func run() async throws {
        guard let raw = UInt64(datapathID.replacingOccurrences(of: ":", with: ""), radix: 16) else {
            throw ValidationError("--switch: expected a datapath ID in hexadecimal, got \(datapathID)")
        }
        let dpid = String(format: "%016llx", raw)
        try await options.show("switches/\(dpid)/flows", as: FlowView.self, empty: "no flows on \(dpid)") { rows in
            rows.map { flow in
                "priority=\(flow.priority),\(flow.match) actions=\(flow.actions)"
                    + "  (table \(flow.table), \(flow.packets) packets, \(flow.bytes) bytes, "
                    + String(format: "%.1f s", flow.durationSeconds)
                    + (flow.idleTimeout > 0 ? ", idle \(flow.idleTimeout) s" : "")
                    + (flow.hardTimeout > 0 ? ", hard \(flow.hardTimeout) s" : "") + ")"
            }.joined(separator: "\n")
        }
    }
}
