import Foundation
import Testing

#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// Real unit processes on loopback forming a control plane from their topology files:
///
/// ```
///  tier 3            root (30, hosts 300)
///                    /              \\
///  tier 2     m1 (21, hosts 210)    m2 (22)
///                |         \\         |
///  tier 1     b (11) ------ peer ---- c (12)
/// ```
/// (b dials both m1 and m2; c dials m2.) The route tables are read through the admin API.
@Suite(.serialized) struct UnitTopologyTests {
    struct Unit {
        let uid: Int
        let name: String
        let tier: Int
        let switchPort: Int
        let unitPort: Int
        let adminPort: Int
        var upstream: [String] = []
        var peers: [String] = []
        var sids: [Int] = []
    }

    static func ports() throws -> (Int, Int, Int) {
        (try UnitProcess.freePort(), try UnitProcess.freePort(), try UnitProcess.freePort())
    }

    static func configuration(_ unit: Unit, all: [String: Unit]) -> String {
        func neighbours(_ names: [String]) -> String {
            names.compactMap { all[$0] }.map {
                #"{"name": "\#($0.name)", "host": "127.0.0.1", "port": \#($0.unitPort)}"#
            }.joined(separator: ", ")
        }
        let services = unit.sids.map {
            #"{"service": "counter", "sid": \#($0), "name": "svc-\#($0)", "subscriptions": ["packet_in"]}"#
        }
        return """
            {"uid": \(unit.uid), "name": "\(unit.name)", "tier": \(unit.tier),
             "switches": {"listen": "127.0.0.1:\(unit.switchPort)"},
             "units": {"plaintext": true, "listen": "127.0.0.1:\(unit.unitPort)", "upstream": [\(neighbours(unit.upstream))], "peers": [\(neighbours(unit.peers))]},
             "admin": {"listen": "127.0.0.1:\(unit.adminPort)"},
             "services": [\(services.joined(separator: ", "))]}
            """
    }

    struct RouteRow: Decodable, Equatable {
        let sid: Int
        let nextHop: Int?
        let hops: Int
        let relation: String
        let service: String?
    }

    struct UnitRow: Decodable {
        let name: String
        let state: String
    }

    /// SID → "next hop/hops", as in the route table tests.
    static func table(adminPort: Int) async -> [Int: String]? {
        guard let url = URL(string: "http://127.0.0.1:\(adminPort)/routes"),
            let (data, _) = try? await URLSession.shared.data(from: url),
            let rows = try? JSONDecoder().decode([RouteRow].self, from: data)
        else { return nil }
        return Dictionary(
            uniqueKeysWithValues: rows.map { ($0.sid, "\($0.nextHop.map(String.init) ?? "local")/\($0.hops)") })
    }

    static func serviceNames(adminPort: Int) async throws -> [Int: String] {
        let url = try #require(URL(string: "http://127.0.0.1:\(adminPort)/routes"))
        let (data, _) = try await URLSession.shared.data(from: url)
        let rows = try JSONDecoder().decode([RouteRow].self, from: data)
        return Dictionary(uniqueKeysWithValues: rows.map { ($0.sid, $0.service ?? "?") })
    }

    /// Polls until every unit's table is as expected; returns the time it took, or nil.
    static func converge(_ expected: [Int: [Int: String]], within limit: Duration) async -> Duration? {
        let clock = ContinuousClock()
        let start = clock.now
        while clock.now - start < limit {
            var all = true
            for (port, table) in expected where await Self.table(adminPort: port) != table { all = false }
            if all { return clock.now - start }
            try? await Task.sleep(for: .milliseconds(10))
        }
        return nil
    }

    @Test func fiveUnitsConvergeReconvergeWhenOneDiesAndConvergeBackWhenItReturns() async throws {
        var units: [String: Unit] = [:]
        func add(_ unit: Unit) { units[unit.name] = unit }
        var p = try Self.ports()
        add(Unit(uid: 30, name: "root", tier: 3, switchPort: p.0, unitPort: p.1, adminPort: p.2, sids: [300]))
        p = try Self.ports()
        add(
            Unit(
                uid: 21, name: "m1", tier: 2, switchPort: p.0, unitPort: p.1, adminPort: p.2, upstream: ["root"],
                sids: [210]))
        p = try Self.ports()
        add(Unit(uid: 22, name: "m2", tier: 2, switchPort: p.0, unitPort: p.1, adminPort: p.2, upstream: ["root"]))
        p = try Self.ports()
        add(
            Unit(
                uid: 11, name: "b", tier: 1, switchPort: p.0, unitPort: p.1, adminPort: p.2, upstream: ["m1", "m2"],
                peers: ["c"]))
        p = try Self.ports()
        add(
            Unit(
                uid: 12, name: "c", tier: 1, switchPort: p.0, unitPort: p.1, adminPort: p.2, upstream: ["m2"],
                peers: ["b"]))

        var processes: [String: UnitProcess] = [:]
        for name in ["b", "c", "m1", "m2", "root"] {
            let unit = try #require(units[name])
            processes[name] = try UnitProcess(
                configuration: Self.configuration(unit, all: units), switchPort: unit.switchPort)
        }
        defer { for process in processes.values { _ = process.stop() } }
        let admin = { (name: String) in units[name]?.adminPort ?? 0 }

        let steady: [Int: [Int: String]] = [
            admin("root"): [300: "local/0"],
            admin("m1"): [300: "30/1", 210: "local/0"],
            admin("m2"): [300: "30/1"],
            admin("b"): [300: "21/2", 210: "21/1"],
            admin("c"): [300: "22/2", 210: "11/2"],
        ]
        // Forming is not timed (start-up of five debug builds on a busy machine); failover is.
        let first = await Self.converge(steady, within: .seconds(60))
        var formed: [String: [Int: String]] = [:]
        for name in units.keys { formed[name] = await Self.table(adminPort: admin(name)) }
        #expect(first != nil, "the control plane forms; the tables are \(formed)")

        // Every route carries its service's name, through the peer link too (c learns 210 from
        // b). Once in CI, just after the tables converged, c showed route 300 without its next
        // hop's definition (the dispatcher waits for both, so nothing was sent on it): until
        // that moment is explained, the names are waited for briefly.
        let expectedNames = [210: "svc-210", 300: "svc-300"]
        var names = try await Self.serviceNames(adminPort: admin("c"))
        let waitingSince = ContinuousClock.now
        while names != expectedNames, ContinuousClock.now - waitingSince < .seconds(5) {
            try await Task.sleep(for: .milliseconds(50))
            names = try await Self.serviceNames(adminPort: admin("c"))
        }
        #expect(names == expectedNames)

        // The CLI reads the same tables, as an operator would.
        let executable = try #require(UnitProcess.executable?.path)
        let routes = try runCommand(executable, ["routes", "--unit", "127.0.0.1:\(admin("b"))"])
        #expect(routes.status == 0)
        #expect(routes.output.contains("SID  SERVICE  NEXT HOP  HOPS  RELATION  AGE"), "\(routes.output)")
        #expect(routes.output.contains("210  svc-210  u21       1     upstream"), "\(routes.output)")
        func adjacency() throws -> [UnitRow] {
            let listed = try runCommand(executable, ["units", "--unit", "127.0.0.1:\(admin("b"))", "--json"])
            return try JSONDecoder().decode([UnitRow].self, from: Data(listed.output.utf8))
        }
        // Once in CI, just after the routes converged, one of b's three channels was not yet
        // established: what it was is printed, and it is given a moment, as the names are.
        var rows = try adjacency()
        let unsettled = rows.filter { $0.state != "established" }.map { "\($0.name): \($0.state)" }
        while !rows.allSatisfy({ $0.state == "established" }), ContinuousClock.now - waitingSince < .seconds(10) {
            try await Task.sleep(for: .milliseconds(50))
            rows = try adjacency()
        }
        if !unsettled.isEmpty { print("unit topology: b's channels just after the routes converged: \(unsettled)") }
        #expect(
            rows.map(\.name).sorted() == ["c", "m1", "m2"] && rows.allSatisfy { $0.state == "established" },
            "\(rows.map { "\($0.name): \($0.state)" }), at first \(unsettled)")

        // m1 crashes: b moves onto m2 for 300, and 210 disappears everywhere.
        processes["m1"]?.kill()
        let withoutM1: [Int: [Int: String]] = [
            admin("b"): [300: "22/2"],
            admin("c"): [300: "22/2"],
            admin("m2"): [300: "30/1"],
        ]
        // A test asserts that it converges; how fast is a figure, measured by Scripts/bench-units
        // on a quiet machine, not bounded here, where the machine may be busy with other tests.
        let failover = await Self.converge(withoutM1, within: .seconds(10))
        let afterDeath = await Self.table(adminPort: admin("b")) ?? [:]
        #expect(failover != nil, "re-convergence within 10 s after a unit died; b has \(afterDeath)")

        // b still lists m1, as a neighbour it is dialing again.
        let unitsURL = try #require(URL(string: "http://127.0.0.1:\(admin("b"))/units"))
        let (unitsData, _) = try await URLSession.shared.data(from: unitsURL)
        let adjacencies = try JSONDecoder().decode([UnitRow].self, from: unitsData)
        #expect(adjacencies.filter { $0.state == "established" }.map(\.name).sorted() == ["c", "m2"])
        let m1Row = adjacencies.first { $0.name == "m1" }
        #expect(m1Row?.state.hasPrefix("retrying") == true || m1Row?.state == "connecting", "\(adjacencies)")

        // m1 comes back with the same topology file: everything returns to where it was.
        let m1 = try #require(units["m1"])
        processes["m1"] = try UnitProcess(configuration: Self.configuration(m1, all: units), switchPort: m1.switchPort)
        let back = await Self.converge(steady, within: .seconds(20))
        let afterReturn = await Self.table(adminPort: admin("b")) ?? [:]
        #expect(back != nil, "convergence within 20 s after the unit returned; b has \(afterReturn)")
        print(
            "unit topology: formed in \(first.map { "\($0)" } ?? "-"), failover \(failover.map { "\($0)" } ?? "-"), back \(back.map { "\($0)" } ?? "-")"
        )
    }
}
