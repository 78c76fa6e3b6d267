import Foundation
import Testing

/// TLS between a real unit and real Open vSwitch bridges (`ssl:` controller targets, certificates
/// from `echelon certs`): a bridge whose certificate chains to the unit's switch CA, and names
/// its DPID, is served; one whose DPID the certificate does not name, one with another CA's
/// certificate, and one that speaks plain TCP to the TLS port, are refused with the reason in
/// the unit's log. Needs root and a running Open vSwitch, like the Mininet tests.
@Suite(
    .serialized,
    .enabled(
        if: MininetEnvironment.unavailableReason == nil, Comment(rawValue: MininetEnvironment.unavailableReason ?? "")))
struct SwitchTLSTests {
    static func vsctl(_ arguments: [String]) throws -> String {
        let run = try runCommand("/usr/bin/ovs-vsctl", ["--timeout=10"] + arguments, timeout: 20)
        #expect(run.status == 0, "ovs-vsctl \(arguments.joined(separator: " ")): \(run.output)")
        return run.output
    }

    /// Whether the unit lists a switch with this DPID, within 15 s.
    static func served(_ dpid: String, adminPort: Int, executable: String) throws -> Bool {
        let deadline = Date().addingTimeInterval(15)
        while Date() < deadline {
            let listed = try runCommand(executable, ["switches", "--unit", "127.0.0.1:\(adminPort)", "--json"])
            if listed.output.contains(dpid) { return true }
            Thread.sleep(forTimeInterval: 0.2)
        }
        return false
    }

    @Test func onlySwitchesWithTheCAsCertificatesAreServed() throws {
        let executable = try #require(UnitProcess.executable?.path)
        let base = FileManager.default.temporaryDirectory.appendingPathComponent(
            "echelon-switch-tls-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: base) }
        let pki = base.appendingPathComponent("pki").path
        let other = base.appendingPathComponent("other").path
        for arguments in [
            ["init", "--dir", pki], ["issue", "1", "--dir", pki],
            ["issue-switch", "good", "--dir", pki, "--dpid", "00000000000000e1", "--dpid", "0xe3"],
            ["init", "--dir", other], ["issue-switch", "rogue", "--dir", other],
        ] {
            let made = try runCommand(executable, ["certs"] + arguments)
            #expect(made.status == 0, "\(made.output)")
        }
        let (switchPort, _, adminPort) = try UnitTopologyTests.ports()
        let unit = try UnitProcess(
            configuration: """
                {"name": "tls-switches",
                 "switches": {"listen": "127.0.0.1:\(switchPort)",
                              "tls": {"certificate": "\(pki)/unit-1.pem", "key": "\(pki)/unit-1-key.pem", "ca": "\(pki)/ca.pem"}},
                 "admin": {"listen": "127.0.0.1:\(adminPort)"}, "services": [{"service": "forwarding"}]}
                """, switchPort: switchPort)
        let bridges = ["echtls-good", "echtls-tcp", "echtls-named", "echtls-other"]
        defer {
            for bridge in bridges { _ = try? runCommand("/usr/bin/ovs-vsctl", ["--if-exists", "del-br", bridge]) }
            _ = try? runCommand("/usr/bin/ovs-vsctl", ["del-ssl"])
        }
        func bridge(_ name: String, dpid: String, target: String) throws {
            _ = try Self.vsctl([
                "add-br", name, "--", "set", "bridge", name, "datapath_type=netdev", "protocols=OpenFlow10",
                "other-config:datapath-id=\(dpid)", "--", "set-controller", name, target,
            ])
        }

        // The switch's key and certificate, and the CA it checks the unit's certificate with.
        _ = try Self.vsctl(["set-ssl", "\(pki)/switch-good-key.pem", "\(pki)/switch-good.pem", "\(pki)/ca.pem"])
        try bridge("echtls-good", dpid: "00000000000000e1", target: "ssl:127.0.0.1:\(switchPort)")
        #expect(try Self.served("00000000000000e1", adminPort: adminPort, executable: executable))
        // Open vSwitch presents one certificate for all its bridges: it names the DPIDs they may claim.
        try bridge("echtls-named", dpid: "00000000000000e3", target: "ssl:127.0.0.1:\(switchPort)")
        #expect(try Self.served("00000000000000e3", adminPort: adminPort, executable: executable))
        try bridge("echtls-other", dpid: "00000000000000e4", target: "ssl:127.0.0.1:\(switchPort)")

        // A plain tcp: target at the TLS port.
        try bridge("echtls-tcp", dpid: "00000000000000e2", target: "tcp:127.0.0.1:\(switchPort)")
        // The good bridge with another CA's certificate, once it connects again.
        _ = try Self.vsctl(["set-ssl", "\(other)/switch-rogue-key.pem", "\(other)/switch-rogue.pem", "\(pki)/ca.pem"])
        _ = try Self.vsctl(["del-controller", "echtls-good"])
        _ = try Self.vsctl(["set-controller", "echtls-good", "ssl:127.0.0.1:\(switchPort)"])
        Thread.sleep(forTimeInterval: 4)
        let listed = try runCommand(executable, ["switches", "--unit", "127.0.0.1:\(adminPort)", "--json"])
        #expect(
            !listed.output.contains("00000000000000e2") && !listed.output.contains("00000000000000e1")
                && !listed.output.contains("00000000000000e4"),
            "\(listed.output)")

        let (status, log) = unit.stop()
        #expect(status == 0)
        #expect(log.contains("security=TLS"))
        #expect(log.contains("refusing switch: its certificate (CN=rogue"), "\(log)")
        #expect(log.contains("does not chain to this control plane's CA"))
        #expect(log.contains("refusing switch: TLS handshake failed: the other end does not speak TLS"))
        #expect(
            log.contains(
                "refusing switch: DPID 00000000000000e4 is not among those its certificate (CN=good,O=Echelon control plane) names: 00000000000000e1, 00000000000000e3"
            ))
    }
}
