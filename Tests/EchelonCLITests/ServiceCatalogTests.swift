import ConfigurationFiles
import Foundation
import Runtime
import Testing

@testable import echelon

/// Which services a configuration may declare, and what an exported forwarder is sent.
@Suite struct ServiceCatalogTests {
    static func configuration(_ services: String) throws -> UnitConfiguration {
        try JSONDecoder().decode(UnitConfiguration.self, from: Data(#"{"name": "u", "services": [\#(services)]}"#.utf8))
    }

    static func problem(_ services: String) throws -> String? {
        var configuration = try configuration(services)
        do {
            _ = try ServiceCatalog.blueprints(for: &configuration, file: "unit.json")
            return nil
        } catch {
            return "\(error)"
        }
    }

    @Test func theDefaultForwardsOverTheGraphAndTheLearningSwitchIsThereByName() throws {
        var standard = UnitConfiguration.standard
        let blueprints = try ServiceCatalog.blueprints(for: &standard, file: "(default)")
        #expect(blueprints.map { $0.make().name } == ["forwarding"])
        var learning = try Self.configuration(#"{"service": "learning-switch"}"#)
        #expect(try ServiceCatalog.blueprints(for: &learning, file: "u").map { $0.make().name } == ["learning-switch"])
    }

    @Test func anExportedForwarderWithoutSubscriptionsIsSentWhatItNeeds() throws {
        var configuration = try Self.configuration(#"{"service": "forwarding", "sid": 200}"#)
        _ = try ServiceCatalog.blueprints(for: &configuration, file: "u")
        #expect(
            configuration.services[0].subscriptions == [
                .switchAdded, .switchPortChanged, .switchRemoved, .packetIn, .linkAdded, .linkRemoved,
            ])
    }

    @Test func aForwarderThatWouldMissEventsItNeedsIsRefusedByName() throws {
        let problem = try Self.problem(#"{"service": "forwarding", "sid": 200, "subscriptions": ["packet_in"]}"#)
        #expect(
            problem?.contains(
                "$.services[0].subscriptions: \"forwarding\" needs switch_added, switch_port_changed, switch_removed, link_added, link_removed too"
            ) == true, "\(problem ?? "accepted")")
    }

    @Test func twoForwardersInOneUnitAreRefused() throws {
        let problem = try Self.problem(#"{"service": "forwarding"}, {"service": "learning-switch"}"#)
        #expect(problem?.contains("$.services[1].service") == true && problem?.contains("\"forwarding\"") == true)
        #expect(
            try Self.problem(#"{"service": "routing"}"#)?.contains(
                "known: forwarding, learning-switch, authenticator, resolver, resolver-client, counter")
                == true)
    }
}

/// The authenticator's declaration: its policy file is read before the unit starts.
@Suite struct AuthenticatorDeclarationTests {
    static func folder(policy: String) throws -> URL {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("auth-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        try Data(policy.utf8).write(to: folder.appendingPathComponent("policy.json"))
        return folder
    }

    @Test func anExportedAuthenticatorFailsClosedAndIsSentWhatItNeeds() throws {
        let folder = try Self.folder(policy: #"{"default": "deny", "allow": [{"mac": "00:00:00:00:00:01"}]}"#)
        var configuration = try ServiceCatalogTests.configuration(
            #"{"service": "authenticator", "sid": 20, "policy": "policy.json"}"#)
        let blueprints = try ServiceCatalog.blueprints(
            for: &configuration, file: folder.appendingPathComponent("unit.json").path)
        #expect(blueprints.map { $0.make().name } == ["authenticator"])
        #expect(configuration.services[0].timeoutPolicy == .failClosed)
        #expect(
            Set(configuration.services[0].subscriptions) == [
                .switchAdded, .switchRemoved, .deviceAdded, .deviceChanged, .deviceRemoved, .packetIn,
            ])
        // Said otherwise, it is as said.
        var open = try ServiceCatalogTests.configuration(
            #"{"service": "authenticator", "sid": 20, "policy": "policy.json", "timeoutPolicy": "fail-open"}"#)
        _ = try ServiceCatalog.blueprints(for: &open, file: folder.appendingPathComponent("unit.json").path)
        #expect(open.services[0].timeoutPolicy == .failOpen)
    }

    @Test func anAuthenticatorWithoutAUsablePolicyDoesNotStart() throws {
        #expect(
            try ServiceCatalogTests.problem(#"{"service": "authenticator"}"#)
                == #"unit.json: $.services[0]: "authenticator" needs "policy": the path of its policy file"#)
        let folder = try Self.folder(policy: #"{"default": "deny", "allow": [{"mac": "00:00:00:00:00:0g"}]}"#)
        var configuration = try ServiceCatalogTests.configuration(
            #"{"service": "authenticator", "policy": "policy.json"}"#)
        #expect {
            _ = try ServiceCatalog.blueprints(
                for: &configuration, file: folder.appendingPathComponent("unit.json").path)
        } throws: { error in
            "\(error)"
                == folder.appendingPathComponent("policy.json").path
                + #": $.allow[0].mac: "00:00:00:00:00:0g" is not a MAC address (aa:bb:cc:dd:ee:ff)"#
        }
    }
}
