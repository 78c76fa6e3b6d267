import ConfigurationFiles
import ControlPlane
import Foundation
import Runtime
import Testing
import UnitProtocol

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
        let configuration = try load(
            """
            {"name": "u", "switches": {"listen": "127.0.0.1:7001", "echoInterval": 1, "echoTimeout": 3, "handshakeTimeout": 2,
             "missSendLength": 128, "maxMessageLength": 4096, "errorBudget": 3},
             "hosts": {"idleTimeout": 60, "capacity": 10},
             "links": {"probeInterval": 2, "probeKey": "000102030405060708090a0b0c0d0e0F101112131415161718191a1b1c1d1e1f"},
             "services": [{"service": "forwarding", "priority": 10, "idleTimeout": 30, "hardTimeout": 300}]}
            """)
        #expect(configuration.switches.listen.port == 7001)
        #expect(configuration.switches.connection.echoTimeout == .seconds(3))
        #expect(configuration.hosts.capacity == 10)
        #expect(configuration.links.probeKey == Array(0...31))
        #expect(
            configuration.services == [
                ServiceDeclaration(service: "forwarding", priority: 10, idleTimeout: 30, hardTimeout: 300)
            ])
    }

    @Test(arguments: [
        (#"{"name": "u", "switches": {"listen": "nowhere"}}"#, "$.switches.listen", "expected \"host:port\""),
        (
            #"{"name": "u", "switches": {"echoIntervall": 3}}"#, "$.switches.echoIntervall",
            "unknown field \"echoIntervall\""
        ),
        (
            #"{"name": "u", "switches": {"echoInterval": 20}}"#, "$.switches.echoTimeout",
            "must be longer than echoInterval"
        ),
        (
            #"{"name": "u", "services": [{"service": "forwarding", "idleTimeout": -1}]}"#, "$.services[0].idleTimeout",
            "expected an integer in 0...65535, got -1"
        ),
        (#"{"switches": {}}"#, "$.name", "required field is missing"),
        (#"{"name": 5}"#, "$.name", "expected a string"),
        (#"{"name": "u""#, "", "not valid JSON"),
        (#"{"name": "u", "colour": "red"}"#, "$.colour", "unknown field \"colour\""),
        (#"{"name": "u", "tier": 0}"#, "$.tier", "must be 1 or more"),
        (#"{"name": "u", "uid": -3}"#, "$.uid", "expected an integer in 0...4294967295, got -3"),
        (
            #"{"name": "u", "units": {"upstream": [{"name": "t2", "host": "127.0.0.1", "port": 70000}]}}"#,
            "$.units.upstream[0].port", "must be 1-65535"
        ),
        (
            #"{"name": "u", "units": {"peers": [{"host": "127.0.0.1"}]}}"#, "$.units.peers[0].name",
            "required field is missing"
        ),
        (#"{"name": "u", "units": {"echoTimeout": 0.1}}"#, "$.units.echoTimeout", "must be longer than echoInterval"),
        (
            #"{"name": "u", "services": [{"service": "forwarding", "action": "redirect"}]}"#, "$.services[0].action",
            "unknown value \"redirect\" (expected one of: allow, split, divert, deny)"
        ),
        (
            #"{"name": "u", "services": [{"service": "forwarding", "subscriptions": ["packet_in", "packet_out"]}]}"#,
            "$.services[0].subscriptions[1]", "unknown value \"packet_out\""
        ),
        (
            #"{"name": "u", "services": [{"service": "forwarding", "timeoutPolicy": "fail-safe"}]}"#,
            "$.services[0].timeoutPolicy", "expected one of: fail-open, fail-closed"
        ),
        (
            #"{"name": "u", "services": [{"service": "forwarding", "sid": 4}, {"service": "forwarding", "sid": 4}]}"#,
            "$.services[1].sid", "SID 4 is already used by services[0]"
        ),
        (
            #"{"name": "u", "services": [{"service": "counter", "sid": 4, "rules": ["packet_in", "packet_in and src mac 00:00:00:00:00"]}]}"#,
            "$.services[0].rules[1]", "filter does not parse: column 23: expected a MAC address"
        ),
        (
            #"{"name": "u", "dispatch": {"transactionLifetime": 0}}"#, "$.dispatch.transactionLifetime",
            "must be more than 0"
        ),
        (#"{"name": "u", "dispatch": {"parked": 5}}"#, "$.dispatch.parked", "unknown field \"parked\""),
        (
            #"{"name": "u", "links": {"probeKey": "secret"}}"#, "$.links.probeKey",
            "must be 32 to 128 hexadecimal digits"
        ),
        (#"{"name": "u", "links": {"probeKey": "00ff"}}"#, "$.links.probeKey", "(16 to 64 bytes)"),
        (
            #"{"name": "u", "units": {"listen": "0.0.0.0:6644"}}"#, "$.units.listen",
            "unit channels need units.tls (a certificate, key and CA: `echelon certs`) or, for a lab, units.plaintext: true"
        ),
        (
            #"{"name": "u", "units": {"plaintext": true, "tls": {"certificate": "a", "key": "b", "ca": "c"}}}"#,
            "$.units.plaintext", "choose one: units.tls (units prove who they are) or units.plaintext (a lab)"
        ),
        (
            #"{"name": "u", "units": {"tls": {"certificate": "a", "key": "b", "ca": "c"}, "upstream": [{"name": "t2", "host": "127.0.0.1"}]}}"#,
            "$.units.upstream[0].uid", "required with units.tls: the UID the unit's certificate names"
        ),
        (
            #"{"name": "u", "units": {"tls": {"certificate": "a", "key": "b"}}}"#, "$.units.tls.ca",
            "required field is missing"
        ),
        (
            #"{"name": "u", "admin": {"tls": {"certificate": "a", "key": "b"}}}"#, "$.admin.tls.ca",
            "required field is missing"
        ),
        (
            #"{"name": "u", "units": {"plaintext": true, "downstream": [{"name": "below"}]}}"#,
            "$.units.downstream[0].uid",
            "required: the UID the unit's certificate names"
        ),
    ])
    func badFilesNameThePathAndTheProblem(json: String, path: String, problem: String) {
        #expect {
            try load(json)
        } throws: { error in
            guard let error = error as? ConfigurationError else { return false }
            return error.path == path && error.problem.contains(problem) && error.description.hasPrefix("unit.json: ")
        }
    }

    @Test func unitChannelsAreOffUntilTheFileSaysHowUnitsProveWhoTheyAre() throws {
        #expect(try load(#"{"name": "u"}"#).units.enabled == false)
        let configuration = try load(
            """
            {"uid": 20, "name": "tier2", "tier": 2,
             "units": {"tls": {"certificate": "pki/unit-20.pem", "key": "/etc/echelon/unit-20-key.pem", "ca": "pki/ca.pem"},
                       "upstream": [{"name": "top", "host": "10.0.0.3", "uid": 30}],
                       "peers": [{"name": "twin", "host": "10.0.0.2", "uid": 21}],
                       "downstream": [{"name": "tier1-a", "uid": 11}, {"name": "tier1-b", "uid": 12}]}}
            """)
        #expect(configuration.units.enabled)
        // Relative paths are read from the file's own folder, absolute ones as they are.
        let folder = FileManager.default.temporaryDirectory.standardizedFileURL.path
        #expect(configuration.units.tls?.certificate == "\(folder)/pki/unit-20.pem")
        #expect(configuration.units.tls?.key == "/etc/echelon/unit-20-key.pem")
        #expect(
            configuration.units.trust
                == .certified(expected: [
                    UnitID(30): .upstream, UnitID(21): .peer, UnitID(11): .downstream, UnitID(12): .downstream,
                ]))
        let lab = try load(
            #"{"name": "u", "units": {"plaintext": true, "upstream": [{"name": "t2", "host": "127.0.0.1"}]}}"#)
        #expect(lab.units.enabled && lab.units.trust == .claimed)
    }

    @Test func anAdminAPIWithTLSNeedsNoTokenAndReadsItsFilesBesideTheFile() throws {
        let configuration = try load(
            """
            {"uid": 20, "name": "tier2",
             "admin": {"listen": "0.0.0.0:8644",
                       "tls": {"certificate": "pki/unit-20.pem", "key": "pki/unit-20-key.pem", "ca": "/etc/echelon/ca.pem"}}}
            """)
        let folder = FileManager.default.temporaryDirectory.standardizedFileURL.path
        #expect(configuration.admin.tls?.certificate == "\(folder)/pki/unit-20.pem")
        #expect(configuration.admin.tls?.ca == "/etc/echelon/ca.pem")
        #expect(configuration.admin.needsAuthentication && configuration.admin.authentication == "client certificate")
        #expect(try load(#"{"name": "u"}"#).admin.authentication == "none (loopback)")
    }

    @Test func aWholeTopologyIsRead() throws {
        let configuration = try load(
            """
            {"uid": 11, "name": "tier1-a", "tier": 1,
             "switches": {"listen": "127.0.0.1:6633"},
             "units": {"plaintext": true, "listen": "127.0.0.1:6644", "upstream": [{"name": "tier2", "host": "127.0.0.1", "port": 6645}],
                       "peers": [{"name": "tier1-b", "host": "127.0.0.1", "port": 6646}], "echoInterval": 0.5, "echoTimeout": 2,
                       "redialInitial": 0.1, "redialMaximum": 4},
             "admin": {"listen": "127.0.0.1:8011"},
             "services": [{"service": "forwarding", "sid": 100, "name": "forwarding-a", "priority": 50,
                           "subscriptions": ["packet_in", "device_added"], "rules": ["packet_in"], "action": "split",
                           "timeoutPolicy": "fail-closed", "timeout": 0.5}]}
            """)
        #expect(configuration.identity == UnitIdentity(uid: UnitID(11), tier: 1, name: "tier1-a"))
        #expect(configuration.units.upstream == [NeighbourSpec(name: "tier2", host: "127.0.0.1", port: 6645)])
        #expect(configuration.units.peers.map(\.address) == [SocketAddressSpec(host: "127.0.0.1", port: 6646)])
        #expect(configuration.admin.listen.port == 8011)
        #expect(
            configuration.services[0].exported(origin: UnitID(11))
                == ExportedService(
                    sid: ServiceID(100), origin: UnitID(11), name: "forwarding-a", priority: 50, action: .split,
                    timeoutPolicy: .failClosed,
                    subscriptions: [.packetIn, .deviceAdded], timeoutMilliseconds: 500, rules: ["packet_in"]))
    }

    @Test func aServiceWithoutSIDIsNotExported() throws {
        let configuration = try load(#"{"name": "u", "services": [{"service": "forwarding"}]}"#)
        #expect(configuration.services[0].exported(origin: UnitID(1)) == nil)
        #expect(configuration.uid == UnitID(1) && configuration.tier == 1)
    }

    @Test func aMissingFileSaysSo() {
        #expect(throws: ConfigurationError(file: "/nonexistent/unit.json", path: "", problem: "cannot read the file")) {
            try UnitConfiguration.load(path: "/nonexistent/unit.json")
        }
    }
}
