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
            try Self.problem(#"{"service": "routing"}"#)?.contains("known: forwarding, learning-switch, counter")
                == true)
    }
}
