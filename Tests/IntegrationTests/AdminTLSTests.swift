import Foundation
import Testing

/// A real unit's admin API over HTTPS with client certificates (`admin.tls`), bound beyond
/// loopback with no token: `echelon` reads it with an admin client's certificate (from its
/// options or the environment); a plain client, a switch's certificate and another CA's admin
/// are each refused, told why, and logged with the reason, and the unit serves on.
@Suite(.serialized) struct AdminTLSTests {
    @Test func clientCertificatesOpenTheAdminAPIAndNothingElseDoes() throws {
        let executable = try #require(UnitProcess.executable?.path)
        try #require(FileManager.default.isExecutableFile(atPath: "/usr/bin/curl"), "curl: Scripts/setup installs it")
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent(
            "echelon-admin-tls-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        let pki = folder.appendingPathComponent("pki").path
        let other = folder.appendingPathComponent("other").path
        for arguments in [
            ["certs", "init", "--dir", pki],
            ["certs", "issue", "7", "--dir", pki, "--host", "127.0.0.1", "--host", "localhost"],
            ["certs", "issue-admin", "alice", "--dir", pki], ["certs", "issue-switch", "s1", "--dir", pki],
            ["certs", "init", "--dir", other, "--name", "Their CA"],
            ["certs", "issue-admin", "mallory", "--dir", other],
        ] {
            let made = try runCommand(executable, arguments)
            try #require(made.status == 0, "echelon \(arguments.joined(separator: " ")): \(made.output)")
        }
        let issued = try runCommand(executable, ["certs", "issue-admin", "bob", "--dir", pki])
        #expect(
            issued.output.contains("echelon units --unit HOST:PORT --ca \(pki)/ca.pem --cert \(pki)/admin-bob.pem"))

        let (switchPort, _, adminPort) = try UnitTopologyTests.ports()
        let unit = try UnitProcess(
            configuration: """
                {"uid": 7, "name": "https", "switches": {"listen": "127.0.0.1:\(switchPort)"},
                 "admin": {"listen": "0.0.0.0:\(adminPort)",
                           "tls": {"certificate": "\(pki)/unit-7.pem", "key": "\(pki)/unit-7-key.pem", "ca": "\(pki)/ca.pem"}},
                 "services": [{"service": "forwarding"}]}
                """, switchPort: switchPort)
        let started = Date()
        while !UnitProcess.accepts(port: adminPort), Date().timeIntervalSince(started) < 10 {
            Thread.sleep(forTimeInterval: 0.05)
        }
        let unitAddress = ["--unit", "127.0.0.1:\(adminPort)"]
        func client(_ folder: String, _ name: String) -> [String] {
            [
                "--ca", "\(pki)/ca.pem", "--cert", "\(folder)/admin-\(name).pem", "--key",
                "\(folder)/admin-\(name)-key.pem",
            ]
        }

        let topology = try runCommand(executable, ["topology"] + unitAddress + client(pki, "alice"))
        #expect(topology.status == 0, "\(topology.output)")
        setenv("ECHELON_ADMIN_CA", "\(pki)/ca.pem", 1)
        setenv("ECHELON_ADMIN_CERT", "\(pki)/admin-alice.pem", 1)
        setenv("ECHELON_ADMIN_KEY", "\(pki)/admin-alice-key.pem", 1)
        let fromEnvironment = try runCommand(executable, ["routes", "--json"] + unitAddress)
        unsetenv("ECHELON_ADMIN_CA")
        unsetenv("ECHELON_ADMIN_CERT")
        unsetenv("ECHELON_ADMIN_KEY")
        #expect(fromEnvironment.status == 0 && fromEnvironment.output.hasPrefix("["), "\(fromEnvironment.output)")

        let plain = try runCommand(executable, ["routes"] + unitAddress)
        #expect(plain.status != 0 && plain.output.contains("give --ca, --cert and --key"), "\(plain.output)")
        let raw = try RawHTTPConnection(port: adminPort)
        raw.send(Array("GET /status HTTP/1.1\r\nHost: unit\r\nConnection: close\r\n\r\n".utf8))
        #expect(!raw.readUntilClosed(timeout: 10).contains("HTTP/1.1"))
        let partial = try runCommand(executable, ["routes", "--ca", "\(pki)/ca.pem"] + unitAddress)
        #expect(partial.status != 0 && partial.output.contains("needs all three of --ca, --cert and --key"))
        let asSwitch = try runCommand(
            executable,
            ["routes", "--ca", "\(pki)/ca.pem", "--cert", "\(pki)/switch-s1.pem", "--key", "\(pki)/switch-s1-key.pem"]
                + unitAddress)
        #expect(
            asSwitch.status != 0 && asSwitch.output.contains("TLS handshake failed: the other end refused it"),
            "\(asSwitch.output)")
        let stranger = try runCommand(executable, ["routes"] + unitAddress + client(other, "mallory"))
        #expect(
            stranger.status != 0 && stranger.output.contains("TLS handshake failed: the other end refused it"),
            "\(stranger.output)")
        // A client that checks the host name it reached: the unit's certificate names it (--host).
        let curl = try runCommand(
            "/usr/bin/curl",
            [
                "--silent", "--show-error", "--cacert", "\(pki)/ca.pem", "--cert", "\(pki)/admin-alice.pem", "--key",
                "\(pki)/admin-alice-key.pem", "https://localhost:\(adminPort)/status",
            ])
        #expect(curl.status == 0 && curl.output.contains(#""name":"https""#), "\(curl.output)")
        // Refusals disturb nothing: the right client is still served.
        let again = try runCommand(executable, ["units", "--json"] + unitAddress + client(pki, "alice"))
        #expect(again.status == 0, "\(again.output)")

        let (exit, log) = unit.stop()
        #expect(exit == 0)
        #expect(log.contains("admin API on https://"), "\(log)")
        #expect(log.contains("authentication=client certificate"))
        #expect(log.contains("admin API: refusing connection: TLS handshake failed: the other end does not speak TLS"))
        #expect(
            log.contains("refusing connection: its certificate (CN=s1,O=Echelon control plane) names no admin client"))
        #expect(log.contains("refusing connection: its certificate (CN=mallory,O=Echelon control plane), issued by"))
    }
}
