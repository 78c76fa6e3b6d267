import Foundation
import TestSupport
import Testing

/// The demo of the original design, unattended: `topologies/two-domains/` (two tier-1 units,
/// each with its own domain of two switches, one link between the domains, and a tier-2 unit
/// with the authenticator and the resolver) on free loopback ports, driven by
/// `Scripts/two-domains` on Mininet. Part of the serialized Mininet suite.
extension MininetTests {
    struct TwoDomainsResult: Decodable {
        struct Step: Decodable {
            let seconds: Double
            let ping_loss: AnyLoss?
            let first_reply_ms: Double?
            let drop_flows: Int?
            let other_flows: Int?
            let mbps: Double?
            let error: String?
            let flows_naming_h1: [String: Int]?
            let recovery_seconds: Double?
            let first_reply_seconds: Double?
            let stream_resumed: Bool?
            let old_domain_flows_to_h1: Int?
            let domain2_flows_to_old_place: Int?
            let mechanisms: [String: Int]?
            let routes_back_seconds: Double?
            let s1_flows: [String: Int]?
        }
        /// One loss, or one per target.
        enum AnyLoss: Decodable {
            case one(Double)
            case many([Double])
            init(from decoder: any Decoder) throws {
                let container = try decoder.singleValueContainer()
                if let value = try? container.decode(Double.self) {
                    self = .one(value)
                } else {
                    self = .many(try container.decode([Double].self))
                }
            }
            var values: [Double] {
                switch self {
                case .one(let value): [value]
                case .many(let values): values
                }
            }
        }
        let steps: [String: Step]?
        let ok: Bool
        let error: String?
    }

    static let twoDomains = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("../../topologies/two-domains").standardized
    static let twoDomainsScript = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("../../Scripts/two-domains").standardized.path

    @Test func theTwoDomainDemoRunsUnattended() async throws {
        let executable = try #require(UnitProcess.executable?.path)
        // The files' own services and probe key, on ports of this run's own.
        func file(_ name: String) throws -> [String: Any] {
            let data = try Data(contentsOf: Self.twoDomains.appendingPathComponent("\(name).json"))
            return try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        }
        var ports: [String: (switches: Int, units: Int, admin: Int)] = [:]
        for name in ["tier2", "domain1", "domain2"] {
            ports[name] = (try UnitProcess.freePort(), try UnitProcess.freePort(), try UnitProcess.freePort())
        }
        func configuration(_ name: String) throws -> (json: String, switchPort: Int) {
            var unit = try file(name)
            let own = try #require(ports[name])
            unit["switches"] = ["listen": "127.0.0.1:\(own.switches)"]
            var units: [String: Any] = ["plaintext": true, "listen": "127.0.0.1:\(own.units)"]
            if name != "tier2", let tier2 = ports["tier2"] {
                units["upstream"] = [["name": "tier2", "host": "127.0.0.1", "port": tier2.units]]
            }
            unit["units"] = units
            unit["admin"] = ["listen": "127.0.0.1:\(own.admin)"]
            if var services = unit["services"] as? [[String: Any]] {
                for index in services.indices where services[index]["policy"] != nil {
                    services[index]["policy"] = Self.twoDomains.appendingPathComponent("policy.json").path
                }
                unit["services"] = services
            }
            let data = try JSONSerialization.data(withJSONObject: unit)
            return (String(decoding: data, as: UTF8.self), own.switches)
        }
        let tier2Configuration = try configuration("tier2")
        let tier2 = try UnitProcess(configuration: tier2Configuration.json, switchPort: tier2Configuration.switchPort)
        let domain1Configuration = try configuration("domain1")
        let domain1 = try UnitProcess(
            configuration: domain1Configuration.json, switchPort: domain1Configuration.switchPort)
        let domain2Configuration = try configuration("domain2")
        let domain2 = try UnitProcess(
            configuration: domain2Configuration.json, switchPort: domain2Configuration.switchPort)
        let admin = { (name: String) in "127.0.0.1:\(ports[name]?.admin ?? 0)" }
        // Both domains reach the authenticator and the resolver before the switches come.
        for name in ["domain1", "domain2"] {
            let deadline = Date().addingTimeInterval(10)
            while Date() < deadline {
                let routes = try runCommand(executable, ["routes", "--unit", admin(name)])
                if routes.output.contains("authenticator") && routes.output.contains("resolver") { break }
                try await Task.sleep(for: .milliseconds(50))
            }
        }
        let run = try runCommand(
            Self.twoDomainsScript,
            [
                "--domain1", String(domain1Configuration.switchPort), "--domain2",
                String(domain2Configuration.switchPort), "--admin", "tier2=\(admin("tier2"))", "--admin",
                "domain1=\(admin("domain1"))", "--admin", "domain2=\(admin("domain2"))", "--freeze-pid",
                String(tier2.pid), "--echelon", executable,
            ], timeout: 240)
        let hosts = try runCommand(executable, ["hosts", "--unit", admin("tier2")])
        let (status2, log2) = tier2.stop()
        let (status11, log11) = domain1.stop()
        let (status12, log12) = domain2.stop()
        let logs = "\(log2)\n\(log11)\n\(log12)"

        let line = try #require(
            run.output.split(separator: "\n").last { $0.hasPrefix("{") },
            "no result from Mininet:\n\(run.output)\n\(logs)")
        let result = try JSONDecoder().decode(TwoDomainsResult.self, from: Data(line.utf8))
        let steps = try #require(result.steps, "\(line)\n\(logs)")
        for name in ["denied", "cross_domain_ping", "stream", "flows", "tier2_away", "move"] {
            print("two domains, \(name): \(steps[name].map { "\($0.seconds) s" } ?? "not run")")
        }
        let denied = try #require(steps["denied"])
        #expect(denied.ping_loss?.values == [100, 100], "h2 is denied: \(line)")
        #expect(
            denied.drop_flows == 1 && denied.other_flows == 0, "one drop flow, and forwarding never saw it: \(line)")
        let ping = try #require(steps["cross_domain_ping"])
        print("two domains: first reply across the boundary \(ping.first_reply_ms.map { "\($0) ms" } ?? "none")")
        #expect(ping.first_reply_ms != nil && ping.ping_loss?.values == [0], "h1 reaches h3: \(line)\n\(logs)")
        let stream = try #require(steps["stream"])
        #expect(stream.error == nil && (stream.mbps ?? 0) > 0, "an iperf3 stream crosses: \(line)")
        let throughUnit = try #require(steps["flows"]?.s1_flows, "\(line)")
        #expect(
            throughUnit["echelon_flows"] == throughUnit["ovs_ofctl"] && (throughUnit["ovs_ofctl"] ?? 0) > 0,
            "`echelon flows` reads s1's table as `ovs-ofctl dump-flows` does: \(throughUnit)")
        let flows = try #require(steps["flows"]?.flows_naming_h1)
        #expect(flows.count == 4 && flows.values.allSatisfy { $0 > 0 }, "flows on both sides of the boundary: \(flows)")
        let away = try #require(steps["tier2_away"])
        print(
            "two domains: tier 2 frozen, h1 → h3 loss \(away.ping_loss?.values ?? []) (domain 1's flows gone, domain 2's gone, thawed); routes back \(away.routes_back_seconds.map { "\($0) s" } ?? "never")"
        )
        let awayLoss = away.ping_loss?.values ?? []
        #expect(
            awayLoss.first == 0 && (away.flows_naming_h1?.values.allSatisfy { $0 > 0 } ?? false),
            "tier 2 frozen: domain 1 sets up h1's way to h3 again from the answer it kept: \(line)\n\(logs)")
        #expect(
            awayLoss.dropFirst().first == 100,
            "tier 2 frozen: domain 2, which never judged h1, drops it (fail-closed): \(line)\n\(logs)")
        #expect(
            away.routes_back_seconds != nil && awayLoss.last == 0,
            "tier 2 thawed: both domains route to it again and h1 reaches h3: \(line)\n\(logs)")
        let move = try #require(steps["move"])
        print(
            "two domains: after the move, first reply in \(move.first_reply_seconds.map { "\($0) s" } ?? "none"), longest gap over at \(move.recovery_seconds.map { "\($0) s" } ?? "none"); mechanisms \(move.mechanisms ?? [:])"
        )
        #expect(move.recovery_seconds != nil && move.stream_resumed == true, "the stream resumes: \(line)\n\(logs)")
        #expect(move.old_domain_flows_to_h1 == 0 && move.domain2_flows_to_old_place == 0, "old flows gone: \(line)")
        let mechanisms = move.mechanisms ?? [:]
        #expect(
            mechanisms["departure_then_arrival", default: 0] + mechanisms["consistency_check", default: 0] >= 1,
            "the resolver saw the move: \(mechanisms)")
        #expect(result.ok, "\(line)")
        #expect(
            hosts.status == 0 && hosts.output.contains("00:00:00:00:00:01") && hosts.output.contains("u12"),
            "tier 2's map has h1 in domain 2: \(hosts.output)")
        #expect(status2 == 0 && status11 == 0 && status12 == 0)
    }
}
