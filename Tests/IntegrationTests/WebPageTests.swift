import Foundation
import NIOConcurrencyHelpers
import OpenFlow
import Testing

/// Whether headless Chromium can be driven here (Scripts/setup installs Chromium and its
/// driver from Debian, Selenium from PyPI).
enum WebPageEnvironment {
    static let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("../../Scripts/check-web-page").standardized.path

    static let unavailableReason: String? = {
        for path in ["/usr/bin/chromium", "/usr/bin/chromedriver"]
        where !FileManager.default.isExecutableFile(atPath: path) {
            return "\(path) is not installed (Scripts/setup installs chromium and chromium-driver)"
        }
        guard let found = try? runCommand(script, ["--installed"], timeout: 30), found.status == 0
        else { return "Selenium is not installed (Scripts/setup installs it from PyPI)" }
        return nil
    }()
}

struct WebPageOutcome: Decodable {
    struct AfterStop: Decodable {
        let changed: Bool
        let units: [String: String]
        let channels: [String: String]
    }
    let title: String?
    let loaded: Bool
    let units: [String: String]
    let switches: [String]
    let after_stop: AfterStop?
    let console_errors: [String]
}

/// The web page in a real headless browser: served by tier 1, following tier 2 too, it shows
/// both units up, their channel and tier 1's switch; tier 2 stops, and without a reload the
/// page shows it down and the channel broken.
@Suite(
    .enabled(
        if: WebPageEnvironment.unavailableReason == nil, Comment(rawValue: WebPageEnvironment.unavailableReason ?? "")))
struct WebPageTests {
    /// What the browser saw of the page tier 1 of `units` serves (following tier 2), with a
    /// raw switch `dpid` on tier 1 and the script's `arguments` besides; then both units are
    /// stopped. Returns the outcome, both units' exit statuses, and everything for a message.
    static func browse(
        _ units: ForwardingAtTier2, dpid: UInt64, _ arguments: [String]
    ) throws -> (outcome: WebPageOutcome, statuses: (Int32, Int32), logs: (String, String), context: String) {
        let raw = try RawSwitch(port: units.tier1Switch)
        #expect(raw.handshake(dpid: dpid))
        let connected = NIOLockedValueBox(true)
        _ = raw.answerInBackground { connected.withLockedValue { $0 } }
        let run = try runCommand(
            WebPageEnvironment.script,
            [
                "--admin", "127.0.0.1:\(units.tier1Admin)", "--follow", "127.0.0.1:\(units.tier2Admin)",
                "--expect-unit", "tier1", "--expect-unit", "tier2", "--expect-switch",
                DatapathID(rawValue: dpid).description,
            ] + arguments, timeout: 180)
        connected.withLockedValue { $0 = false }
        let (status1, log1) = units.tier1.stop()
        let (status2, log2) = units.tier2.stop()
        let line = try #require(
            run.output.split(separator: "\n").last { $0.hasPrefix("{") }, "no result from the browser:\n\(run.output)")
        let outcome = try JSONDecoder().decode(WebPageOutcome.self, from: Data(line.utf8))
        return (outcome, (status1, status2), (log1, log2), "\(line)\n\(log1)\n\(log2)")
    }

    @Test func thePageShowsTheControlPlaneAndFollowsAUnitThatStops() throws {
        let units = try ForwardingAtTier2()
        let (outcome, statuses, _, context) = try Self.browse(
            units, dpid: 7, ["--stop-pid", String(units.tier2.pid), "--stopped-unit", "tier2"])
        #expect(outcome.title == "Echelon control plane")
        #expect(outcome.loaded, "the page showed both units up and the switch: \(context)")
        #expect(outcome.units["tier1"] == "up" && outcome.units["tier2"] == "up", "\(context)")
        #expect(outcome.switches == ["0000000000000007"], "\(context)")
        let after = try #require(outcome.after_stop, "\(context)")
        #expect(after.changed && after.units["tier2"] == "down", "\(context)")
        #expect(after.channels["tier1|tier2"].map { $0 != "established" } == true, "\(context)")
        #expect(outcome.console_errors.isEmpty, "\(outcome.console_errors)")
        #expect(statuses.0 == 0 && statuses.1 == 0)
    }

    /// Both units' admin APIs want a token: the page, given it in its fragment, reads both
    /// streams with it (the other unit's across origins, after its preflight).
    @Test func withAdminTokensThePageReadsBothUnitsWithTheToken() throws {
        let token = "6b0e2f4d8a1c93e75f20b4a6c8d1e3f5"
        let (outcome, _, logs, context) = try Self.browse(
            try ForwardingAtTier2(adminToken: token), dpid: 9, ["--token", token])
        #expect(outcome.loaded, "the page showed both units up and the switch: \(context)")
        #expect(outcome.units["tier1"] == "up" && outcome.units["tier2"] == "up", "\(context)")
        #expect(outcome.console_errors.isEmpty, "\(outcome.console_errors)")
        #expect(!logs.0.contains("refused GET /ui/events") && !logs.1.contains("refused GET /ui/events"), "\(context)")
    }
}
