import Foundation
import Testing

/// A real unit's admin API bound beyond loopback: without a token it does not start; with one,
/// a request without it or with another is refused (401) and logged without what it sent, the
/// right one is served, and `echelon` passes it from a file or the environment.
@Suite(.serialized) struct AdminTokenTests {
    static let token = "3f1c9a7e55b04d2b8e6a0c41d97f2e18"

    static func request(_ port: Int, _ path: String, authorization: String? = nil) throws -> String {
        let connection = try RawHTTPConnection(port: port)
        let header = authorization.map { "Authorization: \($0)\r\n" } ?? ""
        connection.send(Array("GET \(path) HTTP/1.1\r\nHost: unit\r\n\(header)Connection: close\r\n\r\n".utf8))
        return connection.readUntilClosed(timeout: 10)
    }

    @Test func offLoopbackTheAdminAPIWantsItsToken() throws {
        let executable = try #require(UnitProcess.executable?.path)
        let (switchPort, _, adminPort) = try UnitTopologyTests.ports()
        // No token: the unit refuses to start, saying why.
        let file = FileManager.default.temporaryDirectory.appendingPathComponent(
            "echelon-open-\(UUID().uuidString).json")
        defer { try? FileManager.default.removeItem(at: file) }
        try Data(
            #"{"name": "open", "switches": {"listen": "127.0.0.1:\#(switchPort)"}, "admin": {"listen": "0.0.0.0:\#(adminPort)"}}"#
                .utf8
        ).write(to: file)
        let refused = try runCommand(executable, ["run", "--config", file.path], timeout: 20)
        #expect(refused.status == 1)
        #expect(
            refused.output.contains(
                "admin.listen is 0.0.0.0:\(adminPort), not loopback: the admin API needs admin.token"),
            "\(refused.output)")

        // With a token in a file beside the configuration.
        let tokenFile = FileManager.default.temporaryDirectory.appendingPathComponent(
            "echelon-token-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: tokenFile) }
        try Data((Self.token + "\n").utf8).write(to: tokenFile)
        let unit = try UnitProcess(
            configuration: """
                {"name": "guarded", "switches": {"listen": "127.0.0.1:\(switchPort)"},
                 "admin": {"listen": "0.0.0.0:\(adminPort)", "tokenFile": "\(tokenFile.path)"},
                 "services": [{"service": "forwarding"}]}
                """, switchPort: switchPort)
        let started = Date()
        while !UnitProcess.accepts(port: adminPort), Date().timeIntervalSince(started) < 10 {
            Thread.sleep(forTimeInterval: 0.05)
        }
        let none = try Self.request(adminPort, "/routes")
        #expect(none.hasPrefix("HTTP/1.1 401"), "\(none.prefix(200))")
        #expect(
            none.contains(#"WWW-Authenticate: Bearer realm="echelon""#)
                || none.contains(#"www-authenticate: Bearer realm="echelon""#))
        let wrong = try Self.request(adminPort, "/routes", authorization: "Bearer 3f1c9a7e55b04d2b8e6a0c41d97f2e19")
        #expect(wrong.hasPrefix("HTTP/1.1 401"))
        let right = try Self.request(adminPort, "/status", authorization: "Bearer \(Self.token)")
        #expect(right.hasPrefix("HTTP/1.1 200") && right.contains(#""name":"guarded""#), "\(right.prefix(300))")
        // The page itself holds nothing and is served to anyone; what it reads needs the token.
        #expect(try Self.request(adminPort, "/").hasPrefix("HTTP/1.1 200"))
        #expect(try Self.request(adminPort, "/ui/state").hasPrefix("HTTP/1.1 401"))

        // The CLI: told what is missing, then given the token from a file or the environment.
        let bare = try runCommand(executable, ["routes", "--unit", "127.0.0.1:\(adminPort)"])
        #expect(bare.status != 0 && bare.output.contains("wants its admin token"), "\(bare.output)")
        let fromFile = try runCommand(
            executable, ["routes", "--unit", "127.0.0.1:\(adminPort)", "--token-file", tokenFile.path])
        #expect(fromFile.status == 0, "\(fromFile.output)")
        setenv("ECHELON_ADMIN_TOKEN", Self.token, 1)
        defer { unsetenv("ECHELON_ADMIN_TOKEN") }
        let fromEnvironment = try runCommand(executable, ["units", "--unit", "127.0.0.1:\(adminPort)", "--json"])
        #expect(fromEnvironment.status == 0 && fromEnvironment.output.hasPrefix("["), "\(fromEnvironment.output)")

        let (status, log) = unit.stop()
        #expect(status == 0)
        #expect(log.contains("admin API: refused GET /routes: no bearer token"), "\(log)")
        #expect(log.contains("authentication=bearer token"))
        #expect(!log.contains(Self.token) && !log.contains("3f1c9a7e55b04d2b8e6a0c41d97f2e19"))
    }
}
