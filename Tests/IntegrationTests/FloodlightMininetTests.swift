import Foundation
import Testing

/// What `mininet-pingall --floodlight` printed: each step of a Floodlight user's session.
struct FloodlightOutcome: Decodable {
    let before: Double
    let push: String
    let replies_after_push: Int
    let with_rule: Double
    let rule: String?
    let listed: [String]
    let pushed_again: Bool
    let unblock: String
    let after: Double
    let second_push: Int
    let second_on_switch: Bool
    let clear: String?
    let listed_after_clear: Int
    let on_switch_after_clear: [String]
    let device: [FlexibleValue]?
    let device_expected: [FlexibleValue]
    let links: Int
    let links_expected: Int
}

/// A DPID string or a port number, as a JSON array mixes them.
enum FlexibleValue: Decodable, Equatable {
    case text(String)
    case number(Int)
    init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if let number = try? container.decode(Int.self) {
            self = .number(number)
        } else {
            self = .text(try container.decode(String.self))
        }
    }
}

/// Floodlight's REST API against real switches, driven as its users drive it: a curl script
/// written for Floodlight 0.9 blocks a pinging host through the static flow pusher, and
/// `ovs-ofctl dump-flows` shows the rule on the switch.
extension MininetTests {
    @Test func aFloodlightScriptBlocksAHostAndTheUnitKeepsTheRule() throws {
        let (unit, switchPort, adminPort) = try UnitProcess.withAdminAPI(named: "floodlight")
        let run = try runCommand(
            MininetEnvironment.script,
            ["--port", String(switchPort), "--topo", "linear,3", "--floodlight", "http://127.0.0.1:\(adminPort)"],
            timeout: 240)
        let (status, log) = unit.stop()
        struct Printed: Decodable { let floodlight: FloodlightOutcome }
        let line = try #require(
            run.output.split(separator: "\n").last { $0.hasPrefix("{") }, "no result from Mininet:\n\(run.output)")
        let outcome = try JSONDecoder().decode(Printed.self, from: Data(line.utf8)).floodlight
        let context = "\(run.output)\n\(log)"
        #expect(outcome.before == 0, "\(context)")
        #expect(outcome.push == #"{"status" : "Entry pushed"}"#, "\(context)")
        #expect(outcome.replies_after_push == 0, "the rule holds as soon as the API answers: \(context)")
        #expect(outcome.with_rule == 100, "\(context)")
        let rule = try #require(outcome.rule, "the rule is on the switch: \(context)")
        #expect(
            rule.contains("priority=32767,ip,in_port=1,nw_src=10.0.0.1") && rule.hasSuffix("actions=drop"), "\(rule)")
        #expect(outcome.listed == ["block-10.0.0.1"], "\(context)")
        #expect(outcome.pushed_again, "a switch that reconnects is given the rule again: \(context)")
        #expect(outcome.unblock == #"{"status" : "Entry block-10.0.0.1 deleted"}"#, "\(context)")
        #expect(outcome.after == 0, "\(context)")
        #expect(outcome.second_push == 200 && outcome.second_on_switch, "\(context)")
        #expect(outcome.clear == "Deleted all flows.", "\(context)")
        #expect(outcome.listed_after_clear == 0 && outcome.on_switch_after_clear.isEmpty, "\(context)")
        #expect(outcome.device == outcome.device_expected, "\(context)")
        #expect(outcome.links == outcome.links_expected && outcome.links == 2, "\(context)")
        #expect(status == 0)
    }
}
