import ControlPlane
import Metrics
import NIOConcurrencyHelpers
import Prometheus
import UnitProtocol

/// The unit's metrics, for Prometheus (`GET /metrics`).
///
/// The dispatch path keeps plain counters (`UnitCounters`, `DispatchCounters`) and the DIVERT
/// round trips by bucket (`RoundTripCounts`): a swift-metrics counter or timer there would
/// take a lock per event. A scrape copies them on the unit's loop (`UnitMetricsSnapshot`) and
/// hands the growth since the last scrape to swift-metrics counters; levels (parked contexts,
/// channels by state) are gauges set then.
public enum UnitMetrics {
    /// Sends the process's swift-metrics to a new Prometheus registry, which the admin API's
    /// `/metrics` reads. Call once per process, before the unit starts.
    public static func bootstrap() -> PrometheusCollectorRegistry {
        let registry = PrometheusCollectorRegistry()
        MetricsSystem.bootstrap(PrometheusMetricsFactory(registry: registry))
        return registry
    }
}

/// What a scrape reads off the unit's loop.
struct UnitMetricsSnapshot: Sendable {
    struct ServiceStatistics: Sendable {
        var name: String
        var values: [String: Int]
    }

    var unit: UnitCounters
    var dispatch: DispatchCounters
    var parked: ParkedContexts<ParkedEvent>.Counters
    var parkedNow: Int
    var openTransactions: Int
    var services: [ServiceStatistics]
    var switches: Int
    var switchesInHandshake: Int
    var hosts: Int
    var links: Int
    var staticFlows: Int
    var flowModsSent: Int
    var malformedMessages: Int
    var undeliverable: Int
    /// Unit channels and configured neighbours by state (established, connecting, ...).
    var unitChannels: [String: Int] = [:]
    var routes = 0
    var roundTrips = RoundTripCounts()
}

/// Turns snapshots into swift-metrics values and writes the registry in Prometheus' text format.
final class UnitMetricsExporter: Sendable {
    let registry: PrometheusCollectorRegistry
    private let factory: PrometheusMetricsFactory
    let identity: UnitIdentity
    /// The value each counter had at the last scrape, by name and labels.
    private let exported = NIOLockedValueBox<[String: Int]>([:])

    init(registry: PrometheusCollectorRegistry, identity: UnitIdentity) {
        self.registry = registry
        self.factory = PrometheusMetricsFactory(registry: registry)
        self.identity = identity
    }

    /// The registry's text after taking in `snapshot`.
    func scrape(_ snapshot: UnitMetricsSnapshot) -> [UInt8] {
        let samples = Self.samples(of: snapshot, identity: identity)
        exported.withLockedValue { exported in
            for sample in samples {
                switch sample.kind {
                case .counter:
                    let key = sample.key
                    let previous = exported[key] ?? 0
                    // A count that went down started again (a service reloaded): all of it is new.
                    let growth = sample.value >= previous ? sample.value - previous : sample.value
                    exported[key] = sample.value
                    if growth > 0 || previous == 0 {
                        Counter(label: sample.name, dimensions: sample.labels, factory: factory).increment(by: growth)
                    }
                case .gauge:
                    Gauge(label: sample.name, dimensions: sample.labels, factory: factory).record(sample.value)
                }
            }
        }
        var buffer: [UInt8] = []
        registry.emit(into: &buffer)
        snapshot.roundTrips.emit(into: &buffer)
        return buffer
    }

    struct Sample {
        enum Kind { case counter, gauge }
        var kind: Kind
        var name: String
        var labels: [(String, String)] = []
        var value: Int

        var key: String { ([name] + labels.map { "\($0.0)=\($0.1)" }).joined(separator: ",") }
    }

    static func samples(of snapshot: UnitMetricsSnapshot, identity: UnitIdentity) -> [Sample] {
        var samples: [Sample] = []
        func counter(_ name: String, _ value: Int, _ labels: [(String, String)] = []) {
            samples.append(Sample(kind: .counter, name: "echelon_" + name, labels: labels, value: value))
        }
        func gauge(_ name: String, _ value: Int, _ labels: [(String, String)] = []) {
            samples.append(Sample(kind: .gauge, name: "echelon_" + name, labels: labels, value: value))
        }
        gauge(
            "unit_info", 1,
            [("name", identity.name), ("uid", "\(identity.uid.rawValue)"), ("tier", "\(identity.tier)")])
        for category in EventCategory.byIndex {
            let index = category.index
            counter(
                "events_total", snapshot.unit.events[index], [("category", category.rawValue), ("source", "switches")])
            counter(
                "events_total", snapshot.unit.eventsFromUnits[index],
                [("category", category.rawValue), ("source", "units")])
        }
        let dispatch = snapshot.dispatch
        counter("escalations_total", dispatch.escalated)
        counter("events_relayed_total", dispatch.relayed)
        counter("events_served_total", dispatch.served)
        counter("returns_received_total", dispatch.returnsReceived)
        counter("returns_forwarded_total", dispatch.returnsForwarded)
        counter("contexts_resumed_total", dispatch.resumed)
        counter("events_shed_total", dispatch.shed)
        counter("events_expired_total", dispatch.expired)
        counter("contexts_timed_out_total", snapshot.parked.timedOutOpen, [("policy", "fail_open")])
        counter("contexts_timed_out_total", snapshot.parked.timedOutClosed, [("policy", "fail_closed")])
        gauge("parked_contexts", snapshot.parkedNow)
        gauge("open_transactions", snapshot.openTransactions)
        counter("packet_ins_total", snapshot.unit.packetIns)
        counter("flow_mods_sent_total", snapshot.flowModsSent)
        counter(
            "path_setups_total", snapshot.services.reduce(0) { $0 + ($1.values["pathsInstalled"] ?? 0) })
        for (state, count) in snapshot.unitChannels.sorted(by: { $0.key < $1.key }) {
            gauge("unit_channels", count, [("state", state)])
        }
        gauge("switch_channels", snapshot.switches, [("state", "established")])
        gauge("switch_channels", snapshot.switchesInHandshake, [("state", "handshake")])
        gauge("hosts", snapshot.hosts)
        gauge("links", snapshot.links)
        gauge("routes", snapshot.routes)
        gauge("static_flows", snapshot.staticFlows)
        for service in snapshot.services {
            for (name, value) in service.values.sorted(by: { $0.key < $1.key }) {
                gauge("service_statistic", value, [("service", service.name), ("name", name)])
            }
        }
        var errors: [String: Int] = [
            "malformed_openflow": snapshot.malformedMessages, "openflow_error_received": snapshot.unit.errorsReceived,
            "undeliverable": snapshot.undeliverable, "unknown_port_status": snapshot.unit.unknownPortStatus,
            "filters_rejected": dispatch.filtersRejected, "parked_refused_full": snapshot.parked.refusedFull,
        ]
        for (reason, count) in snapshot.unit.probesRejected { errors["probe_" + reason, default: 0] += count }
        for (kind, count) in dispatch.rejected { errors["dispatch_" + kind, default: 0] += count }
        for (kind, count) in errors.sorted(by: { $0.key < $1.key }) { counter("errors_total", count, [("kind", kind)]) }
        return samples
    }
}
