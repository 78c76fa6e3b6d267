import ConfigurationFiles
import ControlPlane
import Foundation
import Logging
import NIOCore
import Runtime
import Services
import UnitProtocol

/// Turns the services a configuration declares into running services. Validation happens
/// before the unit starts, so a misconfigured service stops the unit with a precise reason
/// instead of starting it half-configured.
enum ServiceCatalog {
    /// A validated service declaration that can be instantiated without failing.
    enum Blueprint: Sendable {
        case forwarding(ShortestPathForwardingService.Configuration, priority: Int)
        case learningSwitch(LearningSwitchService.Configuration, priority: Int)
        case counter(name: String, subscriptions: Set<EventCategory>, priority: Int)
        case authenticator(name: String, policy: AccessPolicy, file: String, priority: Int)
        case resolver(name: String, priority: Int)
        case resolverClient(ResolverClientService.Configuration, priority: Int)

        func make(logger: Logger = Logger(label: "echelon")) -> any HostedService {
            switch self {
            case .forwarding(let configuration, let priority):
                return ShortestPathForwardingService(configuration: configuration, priority: priority)
            case .learningSwitch(let configuration, let priority):
                return LearningSwitchService(configuration: configuration, priority: priority)
            case .counter(let name, let subscriptions, let priority):
                return EventCounterService(name: name, subscriptions: subscriptions, priority: priority)
            case .authenticator(let name, let policy, let file, let priority):
                return AuthenticatorService(
                    name: name, priority: priority, policy: policy, policyFile: file,
                    report: { logger.warning("\(name): \($0)") })
            case .resolver(let name, let priority):
                return ResolverService(name: name, priority: priority, report: { logger.notice("\(name): \($0)") })
            case .resolverClient(let configuration, let priority):
                return ResolverClientService(configuration: configuration, priority: priority)
            }
        }
    }

    private static func time(_ seconds: Double) -> TimeAmount { .nanoseconds(Int64(seconds * 1e9)) }

    static let known = ["forwarding", "learning-switch", "authenticator", "resolver", "resolver-client", "counter"]
    /// Kinds that forward packets: two of them in one unit would both answer every packet.
    static let forwarders: Set<String> = ["forwarding", "learning-switch"]
    /// The events a kind needs, given to an exported declaration that lists none (one that
    /// lists some must list these).
    static let needs: [String: Set<EventCategory>] = [
        "forwarding": ShortestPathForwardingService.events,
        "learning-switch": LearningSwitchService.events,
        "authenticator": AuthenticatorService.events,
        "resolver": ResolverService.events,
    ]
    /// Each kind's priority when the declaration gives none: locally, and exported with it, where
    /// it places the kind's stage among the local services below (the authenticator before the
    /// resolver's client, the client before forwarding).
    static let defaultPriority: [String: Int] = [
        "authenticator": 200, "resolver-client": 150, "forwarding": 100, "learning-switch": 100,
    ]
    /// Kinds that only listen: exported, the units below send them copies (SPLIT) unless the
    /// declaration says otherwise.
    static let listening: Set<String> = ["resolver"]
    /// Kinds whose events must not go on unanswered when they are exported: a lower unit fails
    /// closed while it waits for them, unless the declaration says otherwise.
    static let failClosed: Set<String> = ["authenticator"]

    /// The blueprints of the declared services. An exported declaration with no subscriptions
    /// gets its kind's (`needs`) in `configuration`.
    static func blueprints(
        for configuration: inout UnitConfiguration, file: String
    ) throws(ConfigurationError) -> [Blueprint] {
        var forwarder: String?
        var blueprints: [Blueprint] = []
        for (index, declaration) in configuration.services.enumerated() {
            let path = "$.services[\(index)]"
            if forwarders.contains(declaration.service) {
                if let forwarder {
                    throw ConfigurationError(
                        file: file, path: path + ".service",
                        problem: "a unit forwards with one service; \"\(forwarder)\" is declared already")
                }
                forwarder = declaration.service
            }
            if let needed = needs[declaration.service], declaration.sid != nil {
                let listed = Set(declaration.subscriptions)
                if listed.isEmpty {
                    configuration.services[index].subscriptions = EventCategory.allCases.filter(needed.contains)
                } else if !needed.isSubset(of: listed) {
                    let missing = EventCategory.allCases.filter { needed.contains($0) && !listed.contains($0) }
                    throw ConfigurationError(
                        file: file, path: path + ".subscriptions",
                        problem: "\"\(declaration.service)\" needs "
                            + missing.map(\.rawValue).joined(separator: ", ") + " too (or leave the list out)")
                }
            }
            if failClosed.contains(declaration.service), declaration.timeoutPolicy == nil {
                configuration.services[index].timeoutPolicy = .failClosed
            }
            if listening.contains(declaration.service), declaration.action == nil {
                configuration.services[index].action = .split
            }
            let priority = declaration.priority ?? defaultPriority[declaration.service] ?? 0
            configuration.services[index].priority = priority
            switch declaration.service {
            case "authenticator":
                guard let policy = declaration.policy else {
                    throw ConfigurationError(
                        file: file, path: path,
                        problem: "\"authenticator\" needs \"policy\": the path of its policy file")
                }
                let policyPath = ConfigurationPath.resolved(
                    policy, from: URL(fileURLWithPath: file).deletingLastPathComponent().path)
                blueprints.append(
                    .authenticator(
                        name: declaration.name ?? "authenticator", policy: try AccessPolicy.load(from: policyPath),
                        file: policyPath, priority: priority))
            case "resolver":
                blueprints.append(.resolver(name: declaration.name ?? "resolver", priority: priority))
            case "resolver-client":
                guard let resolver = declaration.resolver else {
                    throw ConfigurationError(
                        file: file, path: path,
                        problem: "\"resolver-client\" needs \"resolver\": the SID of the resolver it asks")
                }
                let defaults = ResolverClientService.Configuration(resolver: ServiceID(resolver))
                blueprints.append(
                    .resolverClient(
                        ResolverClientService.Configuration(
                            resolver: ServiceID(resolver),
                            answerLifetime: declaration.answerLifetime.map(Self.time) ?? defaults.answerLifetime,
                            negativeLifetime: declaration.negativeLifetime.map(Self.time) ?? defaults.negativeLifetime),
                        priority: priority))
            case "forwarding":
                let defaults = ShortestPathForwardingService.Configuration()
                blueprints.append(
                    .forwarding(
                        ShortestPathForwardingService.Configuration(
                            idleTimeout: declaration.idleTimeout ?? defaults.idleTimeout,
                            hardTimeout: declaration.hardTimeout ?? defaults.hardTimeout),
                        priority: priority))
            case "learning-switch":
                let defaults = LearningSwitchService.Configuration()
                blueprints.append(
                    .learningSwitch(
                        LearningSwitchService.Configuration(
                            idleTimeout: declaration.idleTimeout ?? defaults.idleTimeout,
                            hardTimeout: declaration.hardTimeout ?? defaults.hardTimeout),
                        priority: priority))
            case "counter":
                blueprints.append(
                    .counter(
                        name: declaration.name ?? "counter", subscriptions: Set(declaration.subscriptions),
                        priority: priority))
            default:
                throw ConfigurationError(
                    file: file, path: path + ".service",
                    problem: "unknown service \"\(declaration.service)\" (known: \(known.joined(separator: ", ")))")
            }
        }
        return blueprints
    }
}
