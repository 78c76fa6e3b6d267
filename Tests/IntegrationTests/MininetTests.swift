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
    /// Each pingall round's loss, in order.
    let rounds: [Double]
    /// With `--fail-link` or `--move-host`: milliseconds to the first reply after the change
    /// (nil: none came back), and the pings that went unanswered.
    let recovery_ms: Double?
    let ping_lost: Int?
    /// With `--operator-drop`: ping loss before, with and after an operator's drop rule.
    let operator_drop: [String: Double]?
}

extension MininetTests {
    /// Runs the script against a unit listening on `port` and decodes what it printed.
    static func mininet(_ arguments: [String], port: Int) throws -> (PingallResult?, String) {
        let run = try runCommand(MininetEnvironment.script, ["--port", String(port)] + arguments, timeout: 240)
        let line = run.output.split(separator: "\n").last { $0.hasPrefix("{") }
        return (line.flatMap { try? JSONDecoder().decode(PingallResult.self, from: Data($0.utf8)) }, run.output)
    }
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

    /// Loops (a ring of four switches) and two paths between two hosts (a diamond): the
    /// learning switch storms on both; forwarding floods over a spanning tree and routes over
    /// shortest paths, and no round loses a ping, the first included.
    @Test(arguments: ["ring,4", "diamond"])
    func pingallLosesNothingOnTopologiesWithLoops(topology: String) throws {
        let unit = try UnitProcess()
        let (result, output) = try Self.mininet(["--topo", topology, "--every-round"], port: unit.port)
        let (status, log) = unit.stop()
        let run = try #require(result, "no result from Mininet:\n\(output)\n\(log)")
        #expect(run.rounds == [0, 0], "every pingall round, twice in a row: \(output)\n\(log)")
        #expect(run.received == run.sent && run.sent > 0)
        #expect(status == 0)
    }

    /// One of the diamond's two paths goes down while h1 pings h2: the unit hears of it from
    /// the switches' PORT_STATUS at once, takes out the flows that crossed it, and the pings
    /// go on over the other path.
    @Test func trafficRecoversOverTheOtherPathWhenALinkGoesDown() throws {
        let unit = try UnitProcess()
        let (result, output) = try Self.mininet(
            ["--topo", "diamond", "--every-round", "--fail-link", "s1,s2"], port: unit.port)
        let (status, log) = unit.stop()
        let run = try #require(result, "no result from Mininet:\n\(output)\n\(log)")
        #expect(run.recovery_ms != nil, "pings came back after the link went down: \(output)")
        #expect(run.rounds.allSatisfy { $0 == 0 }, "pingall over the remaining path: \(output)\n\(log)")
        #expect(status == 0)
    }

    /// Forwarding's flows are wildcarded and below the operators' band: a drop rule an
    /// operator pushes at priority 100 (as a mitigation script would) takes effect over them at
    /// once, and traffic resumes when it is deleted.
    @Test func anOperatorsDropRuleOutranksForwarding() throws {
        let unit = try UnitProcess()
        let (result, output) = try Self.mininet(["--topo", "linear,3", "--operator-drop"], port: unit.port)
        let (status, log) = unit.stop()
        let run = try #require(result?.operator_drop, "no result from Mininet:\n\(output)\n\(log)")
        #expect(run["before"] == 0 && run["with_rule"] == 100 && run["after"] == 0, "\(run)\n\(output)")
        #expect(status == 0)
    }

    /// h1 is unplugged from s1 and plugged into s3 while it pings h4: its flows towards s1
    /// are taken out on every switch, and its traffic goes on from where it is now.
    @Test func trafficFollowsAHostThatMovesToAnotherSwitch() throws {
        let unit = try UnitProcess()
        let (result, output) = try Self.mininet(
            ["--topo", "ring,4", "--every-round", "--move-host", "h1,s3"], port: unit.port)
        let (status, log) = unit.stop()
        let run = try #require(result, "no result from Mininet:\n\(output)\n\(log)")
        #expect(run.recovery_ms != nil, "h1's pings came back after it moved: \(output)")
        #expect(run.rounds.allSatisfy { $0 == 0 }, "every pair reaches the moved host: \(output)\n\(log)")
        #expect(status == 0)
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
