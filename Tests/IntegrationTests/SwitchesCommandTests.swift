import Foundation
import Testing

/// `echelon switches` against a real unit with a switch connected, and against one that is gone.
@Suite struct SwitchesCommandTests {
    @Test func aConnectedSwitchIsListedWithItsPortsAndAGoneUnitIsSaidInOneLine() throws {
        let executable = try #require(UnitProcess.executable?.path)
        let (switchPort, unitPort, adminPort) = try UnitTopologyTests.ports()
        let unit = try UnitProcess(
            configuration: """
                {"name": "ports", "switches": {"listen": "127.0.0.1:\(switchPort)"},
                 "units": {"listen": "127.0.0.1:\(unitPort)"}, "admin": {"listen": "127.0.0.1:\(adminPort)"},
                 "services": [{"service": "forwarding"}]}
                """, switchPort: switchPort)
        let started = Date()
        while !UnitProcess.accepts(port: adminPort), Date().timeIntervalSince(started) < 10 {
            Thread.sleep(forTimeInterval: 0.05)
        }
        let raw = try RawSwitch(port: switchPort)
        #expect(raw.handshake(dpid: 7))
        let table = try runCommand(executable, ["switches", "--unit", "127.0.0.1:\(adminPort)"])
        #expect(table.status == 0, "\(table.output)")
        #expect(table.output.contains("switch 0000000000000007: 2 ports"), "\(table.output)")
        #expect(table.output.contains("eth1") && table.output.contains("eth2"), "\(table.output)")
        let json = try runCommand(executable, ["switches", "--unit", "127.0.0.1:\(adminPort)", "--json"])
        let rows = try JSONSerialization.jsonObject(with: Data(json.output.utf8)) as? [[String: Any]]
        #expect((rows?.first?["ports"] as? [[String: Any]])?.count == 2, "\(json.output)")
        let (status, _) = unit.stop()
        #expect(status == 0)

        let gone = try runCommand(executable, ["switches", "--unit", "127.0.0.1:\(adminPort)"])
        #expect(gone.status != 0)
        #expect(
            gone.output.contains("cannot reach the unit's admin API at 127.0.0.1:\(adminPort)")
                && gone.output.split(separator: "\n").count == 1, "\(gone.output)")
    }
}
