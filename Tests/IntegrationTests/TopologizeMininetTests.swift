import Foundation
import Testing

/// `topologize mininet`: the two-tier example comes up, and Mininet starts with each domain's
/// switches attached to its own tier-1 unit; every host reaches the hosts of its domain.
extension MininetTests {
    static let planeScript = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("../../Scripts/mininet-plane").standardized.path

    struct PlaneResult: Decodable {
        let controllers: [String: String]
        let wrong_controllers: [String]
        let domains: [String: Double]
    }

    @Test func topologizeMininetAttachesEachDomainToItsOwnUnit() throws {
        let executable = try #require(UnitProcess.executable?.path)
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("topologize-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let (file, count) = try TopologizeTests.relocated("two-tier", into: folder)
        let state = folder.appendingPathComponent("state")
        let up = try runCommand(
            executable, ["topologize", "up", file, "--state", state.path, "--timeout", "30"], timeout: 60)
        let started = TopologizeTests.pids(in: state)
        defer { for pid in started where TopologizeTests.alive(pid) { kill(pid, SIGKILL) } }
        #expect(up.status == 0 && up.output.contains("all \(count) units up"), "\(up.output)")
        let plan = try runCommand(executable, ["topologize", "mininet-plan", file])
        #expect(plan.status == 0, "\(plan.output)")
        let planFile = folder.appendingPathComponent("plan.json")
        try Data(plan.output.utf8).write(to: planFile)
        let run = try runCommand(Self.planeScript, [planFile.path, "--test", "domains"], timeout: 180)
        let down = try runCommand(executable, ["topologize", "down", file, "--state", state.path])
        #expect(down.status == 0)
        let line = try #require(
            run.output.split(separator: "\n").last { $0.hasPrefix("{") }, "no result from Mininet:\n\(run.output)")
        let result = try JSONDecoder().decode(PlaneResult.self, from: Data(line.utf8))
        #expect(run.status == 0, "\(run.output)")
        #expect(result.controllers.count == 5 && result.wrong_controllers.isEmpty, "\(line)")
        #expect(result.domains == ["a": 0, "b": 0], "every host reaches its domain's hosts: \(line)")
        // s1–s3 go to tier1-a and s4–s5 to tier1-b, whose switch ports differ.
        #expect(Set(result.controllers.filter { ["s1", "s2", "s3"].contains($0.key) }.values).count == 1)
        #expect(result.controllers["s1"] != result.controllers["s4"], "\(line)")
    }
}
