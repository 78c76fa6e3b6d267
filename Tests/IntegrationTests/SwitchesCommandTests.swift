import Foundation
import Testing

/// `echelon switches` against a real unit with a switch connected, and against one that is gone.
@Suite struct SwitchesCommandTests {
    @Test func aConnectedSwitchIsListedWithItsPortsAndAGoneUnitIsSaidInOneLine() throws {
        let executable = try #require(UnitProcess.executable?.path)
        let (unit, switchPort, adminPort) = try UnitProcess.withAdminAPI(named: "ports")
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
