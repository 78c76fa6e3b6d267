import Foundation
import TestSupport
import Testing

#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// The authenticator at tier 2 in front of forwarding at tier 1, on real switches: tier 1
/// DIVERTs each undecided host's events up (the authenticator's priority is above forwarding's),
/// and is told BYPASS for an allowed host, so its later frames stay at tier 1. Part of the
/// serialized Mininet suite.
extension MininetTests {
    struct AuthResult: Decodable {
        struct Auth: Decodable {
            let first_ping_ms: Double
            let allowed: Double
            let denied: Double
            let drop_flow: [String]
            let other_flows_of_denied: Int
            let revoke_ms: Double
            let revoked: Double
            let revoked_drop_flow: [String]
            let restored: Double
            let frozen_allowed: Double?
            let frozen_newcomer: Double?
            let thawed_newcomer_seconds: Double?
            let newcomer_revoked: Double?
            let newcomer_drop_flow: [String]?
        }
        let auth: Auth?
        let error: String?
    }

    struct LocalServiceFigures: Decodable {
        let name: String
        let statistics: [String: Int]
    }

    struct CountersWithServices: Decodable {
        let localServices: [LocalServiceFigures]?
        let bypassedDevices: Int
    }

    @Test func theAuthenticatorAdmitsAllowedHostsDropsOthersAndRevokesOnAPolicyChange() async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("auth-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let policy = folder.appendingPathComponent("policy.json").path
        // Mininet gives h1 to h4 the MACs 00:00:00:00:00:01 to 04; h4 speaks only while tier 2 is frozen.
        try Data(
            #"{"default": "deny", "allow": [{"mac": "00:00:00:00:00:01"}, {"mac": "00:00:00:00:00:02"}, {"mac": "00:00:00:00:00:04"}]}"#
                .utf8
        ).write(to: URL(fileURLWithPath: policy))
        let units = try ForwardingAtTier2(
            tier2Services: #"[{"service": "authenticator", "sid": 20, "policy": "\#(policy)", "timeout": 2}]"#,
            tier1Services: #"[{"service": "forwarding"}]"#)
        #expect(await units.waitForFilter(sid: 20), "tier 1 never installed the authenticator's filter")
        let run = try runCommand(
            MininetEnvironment.script,
            [
                "--port", String(units.tier1Switch), "--topo", "linear,4", "--policy", policy, "--freeze-pid",
                String(units.tier2.pid),
            ], timeout: 180)
        let tier1 = await Self.get("counters", adminPort: units.tier1Admin, as: CountersWithServices.self)
        let tier2 = await Self.get("counters", adminPort: units.tier2Admin, as: CountersWithServices.self)
        let (status1, log1) = units.tier1.stop()
        let (status2, log2) = units.tier2.stop()

        let line = try #require(
            run.output.split(separator: "\n").last { $0.hasPrefix("{") },
            "no result from Mininet:\n\(run.output)\n\(log1)\n\(log2)")
        let auth = try #require(
            try JSONDecoder().decode(AuthResult.self, from: Data(line.utf8)).auth, "\(line)\n\(log1)\n\(log2)")
        print(
            "authenticator on Mininet: first ping h1→h2 \(auth.first_ping_ms) ms, revoked \(auth.revoke_ms) ms after the policy changed"
        )
        #expect(auth.allowed == 0, "h1 and h2 are allowed: \(line)\n\(log1)\n\(log2)")
        #expect(auth.denied == 100, "h3 is denied: \(line)")
        #expect(auth.drop_flow.count == 1, "h3 has one drop flow at its port: \(line)")
        #expect(auth.other_flows_of_denied == 0, "forwarding never saw h3: no other flow names it: \(line)")
        #expect(auth.revoked == 100, "h2, out of the policy, is cut off: \(line)\n\(log1)\n\(log2)")
        #expect(auth.revoked_drop_flow.count == 1, "and dropped at its port: \(line)")
        #expect(auth.restored == 0, "h2, back in the policy, reaches h1 again: \(line)\n\(log1)\n\(log2)")
        #expect(auth.frozen_allowed == 0, "tier 2 frozen: hosts it allowed still reach each other: \(line)")
        #expect(auth.frozen_newcomer == 100, "tier 2 frozen: a host it never saw is dropped (fail-closed): \(line)")
        #expect(auth.thawed_newcomer_seconds != nil, "tier 2 back: the newcomer is admitted: \(line)\n\(log1)")
        #expect(
            auth.newcomer_revoked == 100,
            "the newcomer, admitted by its frames alone, is cut off when revoked: \(line)\n\(log1)\n\(log2)")
        #expect(auth.newcomer_drop_flow?.count == 1, "and dropped at its port: \(line)")
        print(
            "authenticator on Mininet: tier 2 thawed, newcomer admitted after \(auth.thawed_newcomer_seconds ?? -1) s")
        let figures = try #require(tier2?.localServices?.first { $0.name == "authenticator" }?.statistics)
        #expect(figures["revoked"] == 2 && figures["denied", default: 0] >= 1, "\(figures)")
        #expect(figures["policyReloads"] == 4 && figures["policyErrors"] == 0, "\(figures)")
        #expect(tier1 != nil)
        #expect(log2.contains("revoked 00:00:00:00:00:02"), "\(log2)")
        #expect(status1 == 0 && status2 == 0)
    }
}
