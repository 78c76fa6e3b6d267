import Foundation
import Testing

/// Real Open vSwitch switches in Mininet, controlled by a real unit process. Needs root,
/// Mininet and a running Open vSwitch (Scripts/setup installs them and Scripts/test starts OVS
/// through Scripts/ovs-start before the tests); without them the suite is reported as skipped,
/// never as passed. The tests do not start OVS themselves: daemons started from inside the test
/// process would inherit its descriptors.
enum MininetEnvironment {
    static let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("../../Scripts/mininet-pingall").standardized.path

    static let unavailableReason: String? = {
        if getuid() != 0 { return "not root: Mininet needs root (run the tests as root, after Scripts/setup)" }
        if !FileManager.default.isExecutableFile(atPath: "/usr/bin/mn") {
            return "Mininet is not installed (Scripts/setup)"
        }
        guard let running = try? runCommand("/usr/bin/ovs-vsctl", ["--timeout=5", "show"], timeout: 10),
            running.status == 0
        else {
            return "Open vSwitch is not running (start it with Scripts/ovs-start; Scripts/test does)"
        }
        return nil
    }()
}

struct PingallResult: Decodable {
    let topo: String
    let switches: Int
    let sent: Int
    let received: Int
    let loss_percent: Double
    let flows: [String: Int]
    /// Forged LLDP frames h1 sent (with `--forge-lldp`).
    let forged: Int?
}

@Suite(
    .serialized,
    .enabled(
        if: MininetEnvironment.unavailableReason == nil, Comment(rawValue: MininetEnvironment.unavailableReason ?? "")))
struct MininetTests {
    @Test(arguments: ["linear,3", "tree,2"])
    func pingallAcrossRealSwitches(topology: String) throws {
        let unit = try UnitProcess()
        let run = try runCommand(
            MininetEnvironment.script, ["--port", String(unit.port), "--topo", topology], timeout: 180)
        let (status, log) = unit.stop()
        let line = try #require(
            run.output.split(separator: "\n").last { $0.hasPrefix("{") }, "no result from Mininet:\n\(run.output)")
        let result = try JSONDecoder().decode(PingallResult.self, from: Data(line.utf8))
        #expect(result.loss_percent == 0, "pingall lost packets: \(line)\n\(log)")
        #expect(result.sent > 0 && result.received == result.sent)
        #expect(result.flows.count == result.switches)
        #expect(
            result.flows.values.allSatisfy { $0 > 0 }, "every switch holds flows the unit installed: \(result.flows)")
        #expect(status == 0, "the unit stops cleanly on SIGINT:\n\(log)")
        #expect(log.contains("switch ready"))
        #expect(log.contains("shutting down"))
    }
    /// A host sends LLDP frames that claim to be probes from another switch's ports, unsigned
    /// and with a made-up authenticator: the unit believes none (it says so once for the port
    /// they arrived on), learns no link from them, and every host still reaches every other.
    @Test func forgedLLDPFromAHostMakesNoLink() throws {
        let unit = try UnitProcess()
        let run = try runCommand(
            MininetEnvironment.script, ["--port", String(unit.port), "--topo", "linear,3", "--forge-lldp"],
            timeout: 180)
        let (status, log) = unit.stop()
        let line = try #require(
            run.output.split(separator: "\n").last { $0.hasPrefix("{") }, "no result from Mininet:\n\(run.output)")
        let result = try JSONDecoder().decode(PingallResult.self, from: Data(line.utf8))
        #expect(result.forged == 6)
        #expect(result.loss_percent == 0, "pingall after the forgeries lost packets: \(line)\n\(log)")
        let refusals = log.split(separator: "\n").filter { $0.contains("link discovery:") }
        #expect(
            refusals.count == 1, "one line for the port, however many forgeries:\n\(refusals.joined(separator: "\n"))")
        #expect(refusals.first?.contains("arrived at 0000000000000001:1") == true)
        #expect(status == 0)
    }
}
