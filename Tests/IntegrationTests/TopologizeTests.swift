import Foundation
import Testing

/// `echelon topologize` against real unit processes: every description under topologies/
/// comes up (every channel established, every route table complete), `status` says so, and
/// `down` stops exactly what `up` started; a unit that cannot start is named with its reason.
@Suite(.serialized) struct TopologizeTests {
    static let topologies = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("../../topologies").standardized

    /// A description from topologies/ on free loopback ports, in a folder of its own, with its
    /// policy files found where they are.
    static func relocated(_ name: String, into folder: URL) throws -> (file: String, units: Int) {
        let source = topologies.appendingPathComponent(name)
        let data = try Data(contentsOf: source.appendingPathComponent("control-plane.json"))
        var description = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        var units = try #require(description["units"] as? [[String: Any]])
        for index in units.indices {
            for field in ["switches", "units", "admin"] {
                units[index][field] = "127.0.0.1:\(try UnitProcess.freePort())"
            }
            if var services = units[index]["services"] as? [[String: Any]] {
                for position in services.indices {
                    if let policy = services[position]["policy"] as? String, !policy.hasPrefix("/") {
                        services[position]["policy"] = source.appendingPathComponent(policy).path
                    }
                }
                units[index]["services"] = services
            }
        }
        description["units"] = units
        let file = folder.appendingPathComponent("control-plane.json")
        try JSONSerialization.data(withJSONObject: description).write(to: file)
        return (file.path, units.count)
    }

    static func pids(in state: URL) -> [Int32] {
        let files = (try? FileManager.default.contentsOfDirectory(atPath: state.path)) ?? []
        return files.filter { $0.hasSuffix(".pid") }.compactMap { name in
            (try? String(contentsOf: state.appendingPathComponent(name), encoding: .utf8))
                .flatMap { Int32($0.trimmingCharacters(in: .whitespacesAndNewlines)) }
        }
    }

    static func alive(_ pid: Int32) -> Bool {
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
            let close = stat.lastIndex(of: ")")
        else { return false }
        return !stat[stat.index(after: close)...].trimmingCharacters(in: .whitespaces).hasPrefix("Z")
    }

    @Test(arguments: ["one-unit", "two-tier", "forwarding-at-tier2", "two-domains", "three-tiers"])
    func everyExampleComesUpAndGoesDown(_ name: String) throws {
        let executable = try #require(UnitProcess.executable?.path)
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("topologize-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let (file, count) = try Self.relocated(name, into: folder)
        let state = folder.appendingPathComponent("state")
        let up = try runCommand(
            executable, ["topologize", "up", file, "--state", state.path, "--timeout", "30"], timeout: 60)
        let started = Self.pids(in: state)
        defer { for pid in started where Self.alive(pid) { kill(pid, SIGKILL) } }
        print("topologize \(name): \(up.output.split(separator: "\n").last ?? "")")
        #expect(up.status == 0 && up.output.contains("all \(count) units up"), "\(up.output)")
        #expect(started.count == count)
        let status = try runCommand(executable, ["topologize", "status", file, "--state", state.path])
        #expect(status.status == 0, "\(status.output)")
        let down = try runCommand(executable, ["topologize", "down", file, "--state", state.path])
        #expect(down.status == 0 && down.output.components(separatedBy: "stopped").count - 1 == count, "\(down.output)")
        #expect(started.allSatisfy { !Self.alive($0) }, "down leaves no unit behind")
        let after = try runCommand(executable, ["topologize", "status", file, "--state", state.path])
        #expect(after.status != 0 && after.output.contains("not running"), "\(after.output)")
    }

    @Test func graphDrawsTheUnitsTheirChannelsAndWhatIsDown() throws {
        let executable = try #require(UnitProcess.executable?.path)
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("topologize-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let (file, _) = try Self.relocated("three-tiers", into: folder)
        let state = folder.appendingPathComponent("state")
        let up = try runCommand(
            executable, ["topologize", "up", file, "--state", state.path, "--timeout", "30"], timeout: 60)
        let started = Self.pids(in: state)
        defer {
            _ = try? runCommand(executable, ["topologize", "down", file, "--state", state.path])
            for pid in started where Self.alive(pid) { kill(pid, SIGKILL) }
        }
        #expect(up.status == 0, "\(up.output)")
        let graph = try runCommand(executable, ["graph", file])
        #expect(graph.status == 0 && graph.output.hasPrefix("digraph \"three-tiers\""), "\(graph.output)")
        #expect(graph.output.contains(#""edge-a" -> "middle-a" [label="established""#), "\(graph.output)")
        #expect(graph.output.contains(#""edge-a" -> "edge-b" [label="peer: established""#), "\(graph.output)")
        #expect(graph.output.contains(#"forwarding 210"#) && graph.output.contains(#"packet-audit 300"#))
        // middle-b stops: drawn down, and edge-b's channel to it not established.
        let pid = try String(contentsOf: state.appendingPathComponent("middle-b.pid"), encoding: .utf8)
            .trimmingCharacters(in: .whitespacesAndNewlines)
        kill(try #require(Int32(pid)), SIGTERM)
        Thread.sleep(forTimeInterval: 1.5)
        let after = try runCommand(executable, ["graph", file])
        #expect(after.output.contains(#"label="middle-b (u22, tier 2)\ndown""#), "\(after.output)")
        #expect(after.output.contains(#""edge-b" -> "middle-b" [label="retrying"#), "\(after.output)")
        if FileManager.default.isExecutableFile(atPath: "/usr/bin/dot") {
            let svg = folder.appendingPathComponent("plane.svg").path
            let drawn = try runCommand(executable, ["graph", file, "--svg", svg])
            let picture = (try? String(contentsOfFile: svg, encoding: .utf8)) ?? ""
            #expect(drawn.status == 0 && picture.contains("<svg") && picture.contains("u22"), "\(drawn.output)")
        }
    }

    @Test func aUnitThatCannotStartIsNamedWithItsReason() throws {
        let executable = try #require(UnitProcess.executable?.path)
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("topologize-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let (file, _) = try Self.relocated("two-tier", into: folder)
        // tier1-b's admin address taken by tier2's: the description says so before anything starts.
        let data = try Data(contentsOf: URL(fileURLWithPath: file))
        var description = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        var units = try #require(description["units"] as? [[String: Any]])
        units[2]["admin"] = units[0]["admin"]
        description["units"] = units
        let clash = folder.appendingPathComponent("clash.json").path
        try JSONSerialization.data(withJSONObject: description).write(to: URL(fileURLWithPath: clash))
        let refused = try runCommand(executable, ["topologize", "up", clash, "--state", folder.path + "/clash"])
        #expect(refused.status != 0 && refused.output.contains("is also $.units[0].admin"), "\(refused.output)")
        let clashing = Self.pids(in: folder.appendingPathComponent("clash"))
        defer { for pid in clashing where Self.alive(pid) { kill(pid, SIGKILL) } }
        #expect(clashing.isEmpty, "nothing started")

        // The tier-2 unit's switch port held by someone else: it cannot start, and `up` says so.
        let switchPort = try #require(try Self.port(of: "switches", unit: 0, in: file))
        let holder = try UnitProcess.listen(on: switchPort)
        defer { close(holder) }
        let state = folder.appendingPathComponent("state")
        let up = try runCommand(
            executable, ["topologize", "up", file, "--state", state.path, "--timeout", "3"], timeout: 60)
        let started = Self.pids(in: state)
        defer { for pid in started where Self.alive(pid) { kill(pid, SIGKILL) } }
        #expect(up.status != 0, "\(up.output)")
        #expect(up.output.contains("tier2: not running") && up.output.contains("cannot start"), "\(up.output)")
        #expect(up.output.contains("channel to tier2"), "the units below say what they wait for: \(up.output)")
        _ = try runCommand(executable, ["topologize", "down", file, "--state", state.path])
        #expect(started.allSatisfy { !Self.alive($0) })
    }

    static func port(of field: String, unit index: Int, in file: String) throws -> Int? {
        let data = try Data(contentsOf: URL(fileURLWithPath: file))
        let description = try JSONSerialization.jsonObject(with: data) as? [String: Any]
        let units = description?["units"] as? [[String: Any]]
        guard let address = units?[index][field] as? String, let colon = address.lastIndex(of: ":") else { return nil }
        return Int(address[address.index(after: colon)...])
    }
}
