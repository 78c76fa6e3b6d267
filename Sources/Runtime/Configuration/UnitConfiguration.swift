import ControlPlane
import Foundation
import NIOCore

/// A unit's configuration file (`unit.json`). Every field but `name` has a default, so the
/// smallest valid file is `{"name": "unit-1"}`; a field the schema does not know is an error.
public struct UnitConfiguration: Hashable, Sendable, Decodable {
    public var name: String
    public var switches: SwitchSettings
    public var hosts: HostSettings
    public var links: LinkSettings
    public var services: [ServiceDeclaration]

    /// One unit, forwarding on, switches on 6633 on every interface.
    public static let standard = UnitConfiguration(name: "echelon", services: [ServiceDeclaration(service: "forwarding")])

    public init(
        name: String, switches: SwitchSettings = SwitchSettings(), hosts: HostSettings = HostSettings(),
        links: LinkSettings = LinkSettings(), services: [ServiceDeclaration] = []
    ) {
        self.name = name
        self.switches = switches
        self.hosts = hosts
        self.links = links
        self.services = services
    }

    enum CodingKeys: String, CodingKey, CaseIterable { case name, switches, hosts, links, services }

    public init(from decoder: any Decoder) throws {
        try decoder.rejectUnknownKeys(CodingKeys.self)
        let container = try decoder.container(keyedBy: CodingKeys.self)
        name = try container.decode(String.self, forKey: .name)
        switches = try container.decode(.switches, default: SwitchSettings())
        hosts = try container.decode(.hosts, default: HostSettings())
        links = try container.decode(.links, default: LinkSettings())
        services = try container.decode(.services, default: [])
    }

    /// Reads and validates a configuration file.
    public static func load(path: String) throws(ConfigurationError) -> UnitConfiguration {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ConfigurationError(file: path, path: "", problem: "cannot read the file")
        }
        do {
            return try JSONDecoder().decode(UnitConfiguration.self, from: data)
        } catch let error as DecodingError {
            throw ConfigurationError(file: path, decodingError: error)
        } catch {
            throw ConfigurationError(file: path, path: "", problem: "\(error)")
        }
    }
}

/// The switch channel: where to listen and its timers.
public struct SwitchSettings: Hashable, Sendable, Decodable {
    public var listen: SocketAddressSpec
    /// Seconds of silence before an ECHO_REQUEST.
    public var echoInterval: Double
    /// Seconds of silence before the switch is declared dead.
    public var echoTimeout: Double
    public var handshakeTimeout: Double
    public var missSendLength: UInt16
    /// Longest OpenFlow message accepted.
    public var maxMessageLength: Int
    public var errorBudget: Int

    public init(
        listen: SocketAddressSpec = SocketAddressSpec(host: "0.0.0.0", port: 6633), echoInterval: Double = 5,
        echoTimeout: Double = 15, handshakeTimeout: Double = 10, missSendLength: UInt16 = 0xffff,
        maxMessageLength: Int = 65535, errorBudget: Int = 16
    ) {
        self.listen = listen
        self.echoInterval = echoInterval
        self.echoTimeout = echoTimeout
        self.handshakeTimeout = handshakeTimeout
        self.missSendLength = missSendLength
        self.maxMessageLength = maxMessageLength
        self.errorBudget = errorBudget
    }

    enum CodingKeys: String, CodingKey, CaseIterable {
        case listen, echoInterval, echoTimeout, handshakeTimeout, missSendLength, maxMessageLength, errorBudget
    }

    public init(from decoder: any Decoder) throws {
        try decoder.rejectUnknownKeys(CodingKeys.self)
        let container = try decoder.container(keyedBy: CodingKeys.self)
        let defaults = SwitchSettings()
        listen = try container.decode(.listen, default: defaults.listen)
        echoInterval = try container.decode(.echoInterval, default: defaults.echoInterval)
        echoTimeout = try container.decode(.echoTimeout, default: defaults.echoTimeout)
        handshakeTimeout = try container.decode(.handshakeTimeout, default: defaults.handshakeTimeout)
        missSendLength = try container.decodeInteger(.missSendLength, default: defaults.missSendLength)
        maxMessageLength = try container.decode(.maxMessageLength, default: defaults.maxMessageLength)
        errorBudget = try container.decode(.errorBudget, default: defaults.errorBudget)
        try require(echoInterval > 0, CodingKeys.echoInterval, "must be positive", decoder)
        try require(echoTimeout > echoInterval, CodingKeys.echoTimeout, "must be longer than echoInterval", decoder)
        try require(handshakeTimeout > 0, CodingKeys.handshakeTimeout, "must be positive", decoder)
        try require((64...65535).contains(maxMessageLength), CodingKeys.maxMessageLength, "must be 64...65535", decoder)
        try require(errorBudget >= 0, CodingKeys.errorBudget, "must not be negative", decoder)
    }

    public var connection: SwitchConnectionConfiguration {
        SwitchConnectionConfiguration(
            echoInterval: .seconds(echoInterval), echoTimeout: .seconds(echoTimeout),
            handshakeTimeout: .seconds(handshakeTimeout), missSendLength: missSendLength, errorBudget: errorBudget)
    }
}

/// The host tracker's limits.
public struct HostSettings: Hashable, Sendable, Decodable {
    public var idleTimeout: Double
    public var capacity: Int

    public init(idleTimeout: Double = 300, capacity: Int = 1_000_000) {
        self.idleTimeout = idleTimeout
        self.capacity = capacity
    }

    enum CodingKeys: String, CodingKey, CaseIterable { case idleTimeout, capacity }

    public init(from decoder: any Decoder) throws {
        try decoder.rejectUnknownKeys(CodingKeys.self)
        let container = try decoder.container(keyedBy: CodingKeys.self)
        idleTimeout = try container.decode(.idleTimeout, default: 300)
        capacity = try container.decode(.capacity, default: 1_000_000)
        try require(idleTimeout > 0, CodingKeys.idleTimeout, "must be positive", decoder)
        try require(capacity > 0, CodingKeys.capacity, "must be positive", decoder)
    }
}

/// LLDP link discovery.
public struct LinkSettings: Hashable, Sendable, Decodable {
    public var probeInterval: Double

    public init(probeInterval: Double = 5) { self.probeInterval = probeInterval }

    enum CodingKeys: String, CodingKey, CaseIterable { case probeInterval }

    public init(from decoder: any Decoder) throws {
        try decoder.rejectUnknownKeys(CodingKeys.self)
        probeInterval = try decoder.container(keyedBy: CodingKeys.self).decode(.probeInterval, default: 5)
        try require(probeInterval > 0, CodingKeys.probeInterval, "must be positive", decoder)
    }
}

/// A service the unit hosts, by name, with its settings. Which names exist and what their
/// settings mean is the business of the Services layer (`ServiceCatalog`).
public struct ServiceDeclaration: Hashable, Sendable, Decodable {
    public var service: String
    public var priority: Int?
    /// Seconds an installed flow lives without traffic (forwarding).
    public var idleTimeout: UInt16?
    /// Seconds an installed flow lives at most (forwarding).
    public var hardTimeout: UInt16?

    public init(service: String, priority: Int? = nil, idleTimeout: UInt16? = nil, hardTimeout: UInt16? = nil) {
        self.service = service
        self.priority = priority
        self.idleTimeout = idleTimeout
        self.hardTimeout = hardTimeout
    }

    enum CodingKeys: String, CodingKey, CaseIterable { case service, priority, idleTimeout, hardTimeout }

    public init(from decoder: any Decoder) throws {
        try decoder.rejectUnknownKeys(CodingKeys.self)
        let container = try decoder.container(keyedBy: CodingKeys.self)
        service = try container.decode(String.self, forKey: .service)
        priority = try container.decodeIfPresent(Int.self, forKey: .priority)
        idleTimeout = try container.decodeInteger(.idleTimeout)
        hardTimeout = try container.decodeInteger(.hardTimeout)
    }
}

private func require<Key: CodingKey>(_ condition: Bool, _ key: Key, _ problem: String, _ decoder: any Decoder) throws {
    guard condition else {
        throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath + [key], debugDescription: problem))
    }
}

extension TimeAmount {
    static func seconds(_ value: Double) -> TimeAmount { .nanoseconds(Int64(value * 1_000_000_000)) }
}
