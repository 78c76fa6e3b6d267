import ControlPlane
import Foundation
import Prometheus
import Testing
import UnitProtocol

@testable import Runtime

@Suite struct UnitMetricsTests {
    static func snapshot(packetIns: Int, escalated: Int) -> UnitMetricsSnapshot {
        var unit = UnitCounters()
        unit.events[EventCategory.packetIn.index] = packetIns
        unit.probesRejected = ["unsigned": 2]
        var dispatch = DispatchCounters()
        dispatch.escalated = escalated
        dispatch.rejected = ["late_return": 1]
        return UnitMetricsSnapshot(
            unit: unit, dispatch: dispatch, parked: .init(), parkedNow: 3, openTransactions: 4,
            services: [.init(name: "forwarding", values: ["pathsInstalled": 5])], switches: 2, switchesInHandshake: 1,
            hosts: 6, links: 2, staticFlows: 1, flowModsSent: 9, malformedMessages: 0, undeliverable: 0,
            unitChannels: ["established": 1, "retrying": 1], routes: 7)
    }

    static func value(_ text: String, _ series: String) -> String? {
        text.split(separator: "\n").first { $0.hasPrefix(series + " ") }.map {
            String($0.split(separator: " ").last ?? "")
        }
    }

    /// Counters are the unit's own, taken as they are at each scrape: a second scrape adds
    /// only what they grew by, and levels are as they are now.
    @Test func scrapesCarryTheUnitsCountsAndLevels() {
        let exporter = UnitMetricsExporter(
            registry: PrometheusCollectorRegistry(), identity: UnitIdentity(uid: UnitID(5), tier: 2, name: "t2"))
        _ = exporter.scrape(Self.snapshot(packetIns: 10, escalated: 4))
        let text = String(decoding: exporter.scrape(Self.snapshot(packetIns: 15, escalated: 4)), as: UTF8.self)
        #expect(Self.value(text, #"echelon_events_total{category="packet_in",source="switches"}"#) == "15")
        #expect(Self.value(text, "echelon_escalations_total") == "4")
        #expect(Self.value(text, "echelon_path_setups_total") == "5")
        #expect(Self.value(text, "echelon_flow_mods_sent_total") == "9")
        #expect(Self.value(text, "echelon_parked_contexts") == "3.0")
        #expect(Self.value(text, #"echelon_unit_channels{state="retrying"}"#) == "1.0")
        #expect(Self.value(text, #"echelon_switch_channels{state="handshake"}"#) == "1.0")
        #expect(Self.value(text, #"echelon_errors_total{kind="probe_unsigned"}"#) == "2")
        #expect(Self.value(text, #"echelon_errors_total{kind="dispatch_late_return"}"#) == "1")
        #expect(Self.value(text, #"echelon_unit_info{name="t2",uid="5",tier="2"}"#) == "1.0")
        #expect(text.contains("# TYPE echelon_events_total counter"))
    }
}

extension UnitMetricsTests {
    /// Round trips land in the first bucket whose bound they do not exceed; the scrape writes
    /// the buckets cumulatively, with the sum in seconds and the count, as Prometheus reads them.
    @Test func roundTripsAreWrittenAsACumulativeHistogram() {
        var histogram = RoundTripCounts()
        for nanoseconds: Int64 in [40_000, 50_000, 70_000, 3_000_000, 9_000_000_000] {
            histogram.record(.nanoseconds(nanoseconds))
        }
        var snapshot = Self.snapshot(packetIns: 1, escalated: 1)
        snapshot.roundTrips = histogram
        let exporter = UnitMetricsExporter(
            registry: PrometheusCollectorRegistry(), identity: UnitIdentity(uid: UnitID(5), tier: 2, name: "t2"))
        let text = String(decoding: exporter.scrape(snapshot), as: UTF8.self)
        let name = RoundTripCounts.metricName
        #expect(text.contains("# TYPE \(name) histogram\n"))
        #expect(Self.value(text, name + #"_bucket{le="0.00005"}"#) == "2")
        #expect(Self.value(text, name + #"_bucket{le="0.0001"}"#) == "3")
        #expect(Self.value(text, name + #"_bucket{le="0.0025"}"#) == "3")
        #expect(Self.value(text, name + #"_bucket{le="0.005"}"#) == "4")
        #expect(Self.value(text, name + #"_bucket{le="2.5"}"#) == "4")
        #expect(Self.value(text, name + #"_bucket{le="+Inf"}"#) == "5")
        #expect(Self.value(text, name + "_count") == "5")
        #expect(Self.value(text, name + "_sum") == "9.00316")
    }
}

extension UnitMetricsTests {
    /// The sample dashboard names only series a unit exports.
    @Test func theGrafanaDashboardNamesOnlyExportedSeries() throws {
        let path = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .appendingPathComponent("../../docs/grafana-dashboard.json").standardized
        let dashboard = try String(contentsOf: path, encoding: .utf8)
        let exporter = UnitMetricsExporter(
            registry: PrometheusCollectorRegistry(), identity: UnitIdentity(uid: UnitID(5), tier: 2, name: "t2"))
        let exported = Set(
            UnitMetricsExporter.samples(of: Self.snapshot(packetIns: 1, escalated: 1), identity: exporter.identity).map(
                \.name)
        ).union([RoundTripCounts.metricName + "_bucket"])
        let named = try Regex("echelon_[a-z_]+")
        let used = Set(dashboard.matches(of: named).map { String(dashboard[$0.range]) })
        #expect(!used.isEmpty)
        #expect(used.subtracting(exported).isEmpty, "\(used.subtracting(exported))")
    }
}
