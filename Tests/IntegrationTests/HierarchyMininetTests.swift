import Foundation
import TestSupport
import Testing

#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// Mininet's pingall through a hierarchy of real unit processes: tier 2 hosts forwarding and
/// DIVERTs every PACKET_IN to itself; tier 1, which the switches connect to, has no service of
/// its own and only relays events up and the FLOW_MODs and PACKET_OUTs down. Part of the
/// serialized Mininet suite: two Mininet networks at once would fight over interface names.
extension MininetTests {
    struct ServiceCounters: Decodable {
        let matched: Int
        let diverted: Int
        let returns: Int
        let served: Int
        let timedOut: Int
    }

    struct CountersView: Decodable {
        struct Service: Decodable {
            let sid: Int
            let counters: ServiceCounters
        }
        struct Totals: Decodable {
            let rejected: [String: Int]
        }
        let services: [Service]
        let totals: Totals
        let waiting: Int
        let openTransactions: Int
        let switchesBelow: Int
    }

    static func get<T: Decodable>(_ path: String, adminPort: Int, as: T.Type) async -> T? {
        guard let url = URL(string: "http://127.0.0.1:\(adminPort)/\(path)"),
            let (data, _) = try? await URLSession.shared.data(from: url)
        else { return nil }
        return try? JSONDecoder().decode(T.self, from: data)
    }

    static func getText(_ path: String, adminPort: Int) async -> String? {
        guard let url = URL(string: "http://127.0.0.1:\(adminPort)/\(path)"),
            let (data, _) = try? await URLSession.shared.data(from: url)
        else { return nil }
        return String(decoding: data, as: UTF8.self)
    }

    /// A sample's value in Prometheus' text format: `name{labels} value`, labels as written.
    static func sample(_ text: String?, _ series: String) -> Double? {
        text?.split(separator: "\n").first { $0.hasPrefix(series + " ") }.flatMap {
            Double($0.split(separator: " ").last ?? "")
        }
    }

    @Test func pingallPassesWithForwardingTwoTiersUp() async throws {
        let executable = try #require(UnitProcess.executable?.path)
        let units = try ForwardingAtTier2()
        let (tier1, tier2, t1Admin, t1Switch) = (units.tier1, units.tier2, units.tier1Admin, units.tier1Switch)
        let t2Admin = units.tier2Admin
        // Tier 1 forwards nothing itself: wait until forwarding's filter is installed there.
        _ = await units.waitForFilter()
        // A ring: forwarding at tier 2 follows tier 1's discovered links through link events.
        let run = try runCommand(
            MininetEnvironment.script, ["--port", String(t1Switch), "--topo", "ring,4", "--every-round"], timeout: 180)
        let tier1Counters = await Self.get("counters", adminPort: t1Admin, as: CountersView.self)
        let tier2Counters = await Self.get("counters", adminPort: t2Admin, as: CountersView.self)
        let tier1Metrics = await Self.getText("metrics", adminPort: t1Admin)
        let tier2Metrics = await Self.getText("metrics", adminPort: t2Admin)
        let filters = try runCommand(executable, ["filters", "--unit", "127.0.0.1:\(t1Admin)"])
        let pending = try runCommand(executable, ["pending", "--unit", "127.0.0.1:\(t1Admin)", "--json"])
        let (status1, log1) = tier1.stop()
        let (status2, log2) = tier2.stop()

        let line = try #require(
            run.output.split(separator: "\n").last { $0.hasPrefix("{") },
            "no result from Mininet:\n\(run.output)\n\(log1)\n\(log2)")
        let result = try JSONDecoder().decode(PingallResult.self, from: Data(line.utf8))
        #expect(result.loss_percent == 0, "pingall lost packets through the hierarchy: \(line)\n\(log1)\n\(log2)")
        #expect(result.flows.values.allSatisfy { $0 > 0 }, "tier 2's flows reached every switch: \(result.flows)")
        let t1 = try #require(tier1Counters?.services.first { $0.sid == 200 }?.counters)
        #expect(
            t1.diverted > 0 && t1.returns == t1.diverted, "every DIVERTed event was answered: \(String(describing: t1))"
        )
        #expect(t1.timedOut == 0)
        #expect(tier1Counters?.totals.rejected.isEmpty == true)
        #expect(tier1Counters?.waiting == 0)
        let t2 = try #require(tier2Counters?.services.first { $0.sid == 200 }?.counters)
        #expect(
            t2.served >= t1.diverted,
            "tier 2 served what tier 1 diverted (and the switches leaving): \(String(describing: t2))")
        #expect(
            tier2Counters?.switchesBelow == 0, "Mininet has stopped: tier 2 saw the four switches below tier 1 leave")
        #expect(
            filters.status == 0 && filters.output.contains("forwarding") && filters.output.contains("DIVERT"),
            "\(filters.output)")
        #expect(pending.status == 0 && pending.output.filter { !$0.isWhitespace } == "[]", "\(pending.output)")
        // The same, as Prometheus reads it.
        let roundTrips = Self.sample(tier1Metrics, "echelon_divert_round_trip_seconds_count") ?? 0
        #expect(roundTrips > 0 && roundTrips <= Double(t1.returns), "\(tier1Metrics ?? "no /metrics")")
        #expect(Self.sample(tier1Metrics, #"echelon_events_total{category="packet_in",source="switches"}"#) ?? 0 > 0)
        #expect(Self.sample(tier1Metrics, "echelon_flow_mods_sent_total") ?? 0 > 0, "tier 2's FLOW_MODs went out")
        #expect(Self.sample(tier1Metrics, #"echelon_unit_channels{state="established"}"#) == 1)
        #expect(Self.sample(tier2Metrics, #"echelon_events_total{category="packet_in",source="units"}"#) ?? 0 > 0)
        #expect(Self.sample(tier2Metrics, "echelon_path_setups_total") ?? 0 > 0, "\(tier2Metrics ?? "no /metrics")")
        #expect(status1 == 0 && status2 == 0)
        #expect(!log1.contains("rejected"), "\(log1)")
    }
}
