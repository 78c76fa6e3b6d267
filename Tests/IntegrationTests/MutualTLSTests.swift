import Foundation
import Runtime
import Testing
import UnitProtocol

/// Mutual TLS between real units, with real certificates from `echelon certs`: the unit that
/// proves who it is joins; each one that cannot (another CA, an expired certificate, a
/// certificate naming another unit, a known unit in the wrong relation, plain TCP) is refused
/// with a logged reason while the good channel and its routes stay up.
@Suite(.serialized) struct MutualTLSTests {
    /// A folder of certificates made with the echelon CLI, as an operator makes them.
    static func authority(_ folder: String, units: [UInt32]) throws {
        let executable = try #require(UnitProcess.executable?.path)
        let initialised = try runCommand(executable, ["certs", "init", "--dir", folder])
        #expect(initialised.status == 0, "\(initialised.output)")
        for uid in units {
            let issued = try runCommand(executable, ["certs", "issue", "\(uid)", "--dir", folder])
            #expect(issued.status == 0, "\(issued.output)")
        }
    }

    static func tls(_ folder: String, certificate uid: UInt32, ca: String? = nil) -> String {
        #""tls": {"certificate": "\#(folder)/unit-\#(uid).pem", "key": "\#(folder)/unit-\#(uid)-key.pem", "ca": "\#(ca ?? folder)/ca.pem"}"#
    }

    /// A unit `uid` at `tier` that dials `port` (the root) as its upstream (or, at tier 2, as a
    /// peer), with the units settings given.
    static func dialer(
        uid: UInt32, tier: Int, rootPort: Int, units settings: String
    ) throws -> (unit: UnitProcess, admin: Int) {
        let (switchPort, unitPort, adminPort) = try UnitTopologyTests.ports()
        let relation = tier == 2 ? "peers" : "upstream"
        let unit = try UnitProcess(
            configuration: """
                {"uid": \(uid), "name": "unit-\(uid)", "tier": \(tier), "switches": {"listen": "127.0.0.1:\(switchPort)"},
                 "units": {"listen": "127.0.0.1:\(unitPort)", "redialInitial": 0.2, "redialMaximum": 0.5,
                           "\(relation)": [{"name": "root", "host": "127.0.0.1", "port": \(rootPort), "uid": 20}], \(settings)},
                 "admin": {"listen": "127.0.0.1:\(adminPort)"}}
                """, switchPort: switchPort)
        return (unit, adminPort)
    }

    @Test func onlyAUnitThatProvesWhoItIsJoins() async throws {
        let base = FileManager.default.temporaryDirectory.appendingPathComponent("echelon-tls-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: base) }
        let pki = base.appendingPathComponent("pki").path
        let other = base.appendingPathComponent("other-ca").path
        try Self.authority(pki, units: [20, 11, 12])
        try Self.authority(other, units: [13])
        // An expired certificate of the right CA: issued as if three days ago, for one day.
        let past = Date().addingTimeInterval(-3 * 86_400)
        try CertificateAuthorityFolder(path: pki).issue(uid: UnitID(14), name: "unit-14", days: 1, now: past)

        // The root, tier 2 (hosts SID 200), expecting units 11, 13 and 14 below it.
        let (rootSwitch, rootUnits, rootAdmin) = try UnitTopologyTests.ports()
        let root = try UnitProcess(
            configuration: """
                {"uid": 20, "name": "root", "tier": 2, "switches": {"listen": "127.0.0.1:\(rootSwitch)"},
                 "units": {"listen": "127.0.0.1:\(rootUnits)", \(Self.tls(pki, certificate: 20)),
                           "downstream": [{"name": "unit-11", "uid": 11}, {"name": "unit-13", "uid": 13},
                                          {"name": "unit-14", "uid": 14}]},
                 "admin": {"listen": "127.0.0.1:\(rootAdmin)"}, "services": [{"service": "forwarding", "sid": 200}]}
                """, switchPort: rootSwitch)
        defer { _ = root.stop() }

        // Unit 11 with its own certificate joins and learns the root's service.
        let (good, goodAdmin) = try Self.dialer(
            uid: 11, tier: 1, rootPort: rootUnits, units: Self.tls(pki, certificate: 11))
        #expect(await UnitTopologyTests.converge([goodAdmin: [200: "20/1"]], within: .seconds(10)) != nil)

        // Each of these keeps dialing and is refused each time.
        let refused = [
            // Unit 13's certificate is of another control plane's CA.
            try Self.dialer(uid: 13, tier: 1, rootPort: rootUnits, units: Self.tls(other, certificate: 13, ca: pki)),
            // Unit 14's certificate expired.
            try Self.dialer(uid: 14, tier: 1, rootPort: rootUnits, units: Self.tls(pki, certificate: 14)),
            // Unit 12's certificate, used by a process that claims to be unit 13.
            try Self.dialer(
                uid: 13, tier: 1, rootPort: rootUnits,
                units:
                    #""tls": {"certificate": "\#(pki)/unit-12.pem", "key": "\#(pki)/unit-12-key.pem", "ca": "\#(pki)/ca.pem"}"#
            ),
            // Unit 11, known below the root, presenting itself as a tier-2 peer.
            try Self.dialer(uid: 11, tier: 2, rootPort: rootUnits, units: Self.tls(pki, certificate: 11)),
            // A unit with no TLS at all.
            try Self.dialer(uid: 13, tier: 1, rootPort: rootUnits, units: #""plaintext": true"#),
        ]
        try await Task.sleep(for: .seconds(3))
        var dialerLogs: [String] = []
        for (unit, admin) in refused {
            #expect(await UnitTopologyTests.table(adminPort: admin) == [:], "a refused unit learns no route")
            dialerLogs.append(unit.stop().log)
        }

        // The good channel was never disturbed: its route is there, and it connected once.
        #expect(await UnitTopologyTests.table(adminPort: goodAdmin) == [200: "20/1"])
        let goodLog = good.stop().log
        #expect(goodLog.components(separatedBy: "unit channel established").count == 2, "\(goodLog)")
        let (status, rootLog) = root.stop()
        #expect(status == 0)
        for reason in [
            "issued by", "does not chain to this control plane's CA",
            "expired on",
            "the other unit claims UID u13, but its certificate names unit u12",
            "unit u11 is configured as downstream (units.downstream), not as peer",
            "TLS handshake failed: the other end does not speak TLS",
        ] {
            #expect(rootLog.contains(reason), "the root's log says \"\(reason)\"")
        }
        // The plain-TCP unit was told at start-up that it is a lab set-up, and why it is refused.
        #expect(dialerLogs[4].contains("units.plaintext: unit channels are plain TCP"))
        #expect(dialerLogs[4].contains("refusing unit channel: the other end speaks TLS"))
    }
}
