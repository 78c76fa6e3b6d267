import Foundation
import Runtime
import Testing

@Suite struct UnitConfigurationTests {
    func load(_ json: String) throws(ConfigurationError) -> UnitConfiguration {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("unit-\(UUID().uuidString).json").path
        _ = FileManager.default.createFile(atPath: path, contents: Data(json.utf8))
        defer { try? FileManager.default.removeItem(atPath: path) }
        do {
            return try UnitConfiguration.load(path: path)
        } catch {
            // Report the file by its name only, so that expectations do not depend on the temporary path.
            throw ConfigurationError(file: "unit.json", path: error.path, problem: error.problem)
        }
    }

    @Test func theSmallestFileTakesEveryDefault() throws {
        let configuration = try load(#"{"name": "tier1-a"}"#)
        #expect(configuration.name == "tier1-a")
        #expect(configuration.switches.listen == SocketAddressSpec(host: "0.0.0.0", port: 6633))
        #expect(configuration.switches.echoInterval == 5)
    }

    @Test func everyFieldIsRead() throws {
        let configuration = try load("""
            {"name": "u", "switches": {"listen": "127.0.0.1:7001", "echoInterval": 1, "echoTimeout": 3, "handshakeTimeout": 2,
             "missSendLength": 128, "maxMessageLength": 4096, "errorBudget": 3},
             "hosts": {"idleTimeout": 60, "capacity": 10}, "links": {"probeInterval": 2},
             "services": [{"service": "forwarding", "priority": 10, "idleTimeout": 30, "hardTimeout": 300}]}
            """)
        #expect(configuration.switches.listen.port == 7001)
        #expect(configuration.switches.connection.echoTimeout == .seconds(3))
        #expect(configuration.hosts.capacity == 10)
        #expect(configuration.services == [ServiceDeclaration(service: "forwarding", priority: 10, idleTimeout: 30, hardTimeout: 300)])
    }

    @Test(arguments: [
        (#"{"name": "u", "switches": {"listen": "nowhere"}}"#, "$.switches.listen", "expected \"host:port\""),
        (#"{"name": "u", "switches": {"echoIntervall": 3}}"#, "$.switches.echoIntervall", "unknown field \"echoIntervall\""),
        (#"{"name": "u", "switches": {"echoInterval": 20}}"#, "$.switches.echoTimeout", "must be longer than echoInterval"),
        (#"{"name": "u", "services": [{"service": "forwarding", "idleTimeout": -1}]}"#, "$.services[0].idleTimeout", "expected an integer in 0...65535, got -1"),
        (#"{"switches": {}}"#, "$.name", "required field is missing"),
        (#"{"name": 5}"#, "$.name", "expected a string"),
        (#"{"name": "u""#, "", "not valid JSON"),
        (#"{"name": "u", "colour": "red"}"#, "$.colour", "unknown field \"colour\""),
    ])
    func badFilesNameThePathAndTheProblem(json: String, path: String, problem: String) {
        #expect {
            try load(json)
        } throws: { error in
            guard let error = error as? ConfigurationError else { return false }
            return error.path == path && error.problem.contains(problem) && error.description.hasPrefix("unit.json: ")
        }
    }

    @Test func aMissingFileSaysSo() {
        #expect(throws: ConfigurationError(file: "/nonexistent/unit.json", path: "", problem: "cannot read the file")) {
            try UnitConfiguration.load(path: "/nonexistent/unit.json")
        }
    }
}
