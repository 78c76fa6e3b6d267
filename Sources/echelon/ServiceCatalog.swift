import ControlPlane
import Runtime
import Services

/// Turns the services a configuration declares into running services. Validation happens
/// before the unit starts, so a misconfigured service stops the unit with a precise reason
/// instead of starting it half-configured.
enum ServiceCatalog {
    /// A validated service declaration that can be instantiated without failing.
    enum Blueprint: Sendable {
        case forwarding(LearningSwitchService.Configuration, priority: Int)
        case counter(name: String, subscriptions: Set<EventCategory>, priority: Int)

        func make() -> any HostedService {
            switch self {
            case .forwarding(let configuration, let priority):
                return LearningSwitchService(configuration: configuration, priority: priority)
            case .counter(let name, let subscriptions, let priority):
                return EventCounterService(name: name, subscriptions: subscriptions, priority: priority)
            }
        }
    }

    static let known = ["forwarding", "counter"]
    /// Kinds that act on the network: two of them in one unit would both answer every packet.
    static let single: Set<String> = ["forwarding"]

    static func blueprints(for configuration: UnitConfiguration, file: String) throws(ConfigurationError) -> [Blueprint]
    {
        var seen = Set<String>()
        var blueprints: [Blueprint] = []
        for (index, declaration) in configuration.services.enumerated() {
            let path = "$.services[\(index)]"
            guard !single.contains(declaration.service) || seen.insert(declaration.service).inserted else {
                throw ConfigurationError(
                    file: file, path: path + ".service", problem: "service \"\(declaration.service)\" is declared twice"
                )
            }
            switch declaration.service {
            case "forwarding":
                let defaults = LearningSwitchService.Configuration()
                blueprints.append(
                    .forwarding(
                        LearningSwitchService.Configuration(
                            idleTimeout: declaration.idleTimeout ?? defaults.idleTimeout,
                            hardTimeout: declaration.hardTimeout ?? defaults.hardTimeout),
                        priority: declaration.priority ?? 100))
            case "counter":
                blueprints.append(
                    .counter(
                        name: declaration.name ?? "counter", subscriptions: Set(declaration.subscriptions),
                        priority: declaration.priority ?? 0))
            default:
                throw ConfigurationError(
                    file: file, path: path + ".service",
                    problem: "unknown service \"\(declaration.service)\" (known: \(known.joined(separator: ", ")))")
            }
        }
        return blueprints
    }
}
