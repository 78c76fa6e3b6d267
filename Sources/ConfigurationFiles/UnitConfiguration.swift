import ControlPlane
import Foundation
import NIOCore
import UnitProtocol

/// A unit's configuration file (`topology.json`): who the unit is, where it listens, which
/// units it dials, and the services it hosts. Every field but `name` has a default, so the
/// smallest valid file is `{"name": "unit-1"}`; a field the schema does not know is an error.
public struct UnitConfiguration: Hashable, Sendable, Decodable {
    public var uid: UnitID
    public var name: String
    /// 1 for units that control switches; higher tiers serve lower ones.
    public var tier: UInt8
    public var switches: SwitchSettings
    public var units: UnitChannelSettings
    public var admin: AdminSettings
    public var hosts: HostSettings
    public var links: LinkSettings
    public var dispatch: DispatchConfiguration
    public var services: [ServiceDeclaration]

    /// One unit, forwarding on, switches on 6633 on every interface, the admin API on loopback
    /// (where it needs no token), and no unit channels (no certificates are configured).
    public static let standard = UnitConfiguration(
        name: "echelon", services: [ServiceDeclaration(service: "forwarding")])

    public init(
        uid: UnitID = UnitID(1), name: String, tier: UInt8 = 1, switches: SwitchSettings = SwitchSettings(),
        units: UnitChannelSettings = UnitChannelSettings(), admin: AdminSettings = AdminSettings(),
        hosts: HostSettings = HostSettings(), links: LinkSettings = LinkSettings(),
        dispatch: DispatchConfiguration = DispatchConfiguration(),
        services: [ServiceDeclaration] = []
    ) {
        self.uid = uid
        self.name = name
        self.tier = tier
        self.switches = switches
        self.units = units
        self.admin = admin
        self.hosts = hosts
        self.links = links
        self.dispatch = dispatch
        self.services = services
    }

    enum CodingKeys: String, CodingKey, CaseIterable {
        case uid, name, tier, switches, units, admin, hosts, links, dispatch, services
    }

    public init(from decoder: any Decoder) throws {
        try decoder.rejectUnknownKeys(CodingKeys.self)
        let container = try decoder.container(keyedBy: CodingKeys.self)
        uid = UnitID(try container.decodeInteger(.uid, default: UInt32(1)))
        name = try container.decode(String.self, forKey: .name)
        tier = try container.decodeInteger(.tier, default: UInt8(1))
        switches = try container.decode(.switches, default: SwitchSettings())
        units = try container.decode(.units, default: UnitChannelSettings())
        admin = try container.decode(.admin, default: AdminSettings())
        hosts = try container.decode(.hosts, default: HostSettings())
        links = try container.decode(.links, default: LinkSettings())
        dispatch = try container.decode(.dispatch, default: DispatchConfiguration())
        services = try container.decode(.services, default: [])
        try require(tier >= 1, CodingKeys.tier, "must be 1 or more (1: the tier that controls switches)", decoder)
        try require(
            name.utf8.count <= UnitIdentity.maximumNameLength, CodingKeys.name,
            "must be at most \(UnitIdentity.maximumNameLength) bytes", decoder)
        var sids: [UInt32: Int] = [:]
        for (index, service) in services.enumerated() {
            guard let sid = service.sid else { continue }
            if let first = sids.updateValue(index, forKey: sid) {
                throw DecodingError.dataCorrupted(
                    .init(
                        codingPath: decoder.codingPath + [
                            CodingKeys.services, AnyCodingKey(index: index), AnyCodingKey(stringValue: "sid"),
                        ],
                        debugDescription: "SID \(sid) is already used by services[\(first)]"))
            }
        }
    }

    /// Who this unit is on unit channels.
    public var identity: UnitIdentity { UnitIdentity(uid: uid, tier: tier, name: name) }

    /// Reads and validates a configuration file.
    public static func load(path: String) throws(ConfigurationError) -> UnitConfiguration {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ConfigurationError(file: path, path: "", problem: "cannot read the file")
        }
        do {
            var configuration = try JSONDecoder().decode(UnitConfiguration.self, from: data)
            let folder = URL(fileURLWithPath: path).deletingLastPathComponent().path
            configuration.units.tls = configuration.units.tls?.resolved(from: folder)
            configuration.switches.tls = configuration.switches.tls?.resolved(from: folder)
            configuration.admin.tls = configuration.admin.tls?.resolved(from: folder)
            if let tokenFile = configuration.admin.tokenFile {
                let resolved = ConfigurationPath.resolved(tokenFile, from: folder)
                guard let token = AdminSettings.token(inFile: resolved) else {
                    throw ConfigurationError(file: path, path: "$.admin.tokenFile", problem: "cannot read \(resolved)")
                }
                guard AdminSettings.isAcceptable(token: token) else {
                    throw ConfigurationError(
                        file: path, path: "$.admin.tokenFile",
                        problem: "\(resolved) must hold one token of \(AdminSettings.tokenRule)")
                }
                configuration.admin.token = token
            }
            return configuration
        } catch let error as ConfigurationError {
            throw error
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
    /// Most accepted connections still in their handshake; one more is closed at once.
    public var maxPendingHandshakes: Int
    /// TLS: the unit's certificate and key, and the CA every switch's certificate must chain
    /// to; nil: plain TCP (Open vSwitch's `tcp:` controller targets).
    public var tls: TLSFiles?

    public init(
        listen: SocketAddressSpec = SocketAddressSpec(host: "0.0.0.0", port: 6633), echoInterval: Double = 5,
        echoTimeout: Double = 15, handshakeTimeout: Double = 10, missSendLength: UInt16 = 0xffff,
        maxMessageLength: Int = 65535, errorBudget: Int = 16, maxPendingHandshakes: Int = 256, tls: TLSFiles? = nil
    ) {
        self.tls = tls
        self.listen = listen
        self.echoInterval = echoInterval
        self.echoTimeout = echoTimeout
        self.handshakeTimeout = handshakeTimeout
        self.missSendLength = missSendLength
        self.maxMessageLength = maxMessageLength
        self.errorBudget = errorBudget
        self.maxPendingHandshakes = maxPendingHandshakes
    }

    enum CodingKeys: String, CodingKey, CaseIterable {
        case listen, echoInterval, echoTimeout, handshakeTimeout, missSendLength, maxMessageLength, errorBudget
        case maxPendingHandshakes, tls
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
        maxPendingHandshakes = try container.decode(.maxPendingHandshakes, default: defaults.maxPendingHandshakes)
        tls = try container.decode(.tls, default: nil)
        try require(echoInterval > 0, CodingKeys.echoInterval, "must be positive", decoder)
        try require(echoTimeout > echoInterval, CodingKeys.echoTimeout, "must be longer than echoInterval", decoder)
        try require(handshakeTimeout > 0, CodingKeys.handshakeTimeout, "must be positive", decoder)
        try require((64...65535).contains(maxMessageLength), CodingKeys.maxMessageLength, "must be 64...65535", decoder)
        try require(errorBudget >= 0, CodingKeys.errorBudget, "must not be negative", decoder)
        try require(
            (1...65_536).contains(maxPendingHandshakes), CodingKeys.maxPendingHandshakes, "must be 1...65536", decoder)
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
    /// The key probes are signed with (`ProbeAuthenticator`), shared by the units of one
    /// control plane; nil: the unit makes up its own and believes only its own probes.
    public var probeKey: [UInt8]?

    public init(probeInterval: Double = 5, probeKey: [UInt8]? = nil) {
        self.probeInterval = probeInterval
        self.probeKey = probeKey
    }

    enum CodingKeys: String, CodingKey, CaseIterable { case probeInterval, probeKey }

    public init(from decoder: any Decoder) throws {
        try decoder.rejectUnknownKeys(CodingKeys.self)
        let container = try decoder.container(keyedBy: CodingKeys.self)
        probeInterval = try container.decode(.probeInterval, default: 5)
        try require(probeInterval > 0, CodingKeys.probeInterval, "must be positive", decoder)
        let hex: String? = try container.decode(.probeKey, default: nil)
        if let hex {
            let sizes = ProbeAuthenticator.keySizes
            let key = Self.bytes(hex: hex)
            try require(
                key.map { sizes.contains($0.count) } ?? false, CodingKeys.probeKey,
                "must be \(sizes.lowerBound * 2) to \(sizes.upperBound * 2) hexadecimal digits "
                    + "(\(sizes.lowerBound) to \(sizes.upperBound) bytes), e.g. from `openssl rand -hex 32`", decoder)
            probeKey = key
        } else {
            probeKey = nil
        }
    }

    /// The bytes a string of hexadecimal digit pairs spells (NIO's hex decoding, with no
    /// spaces between the pairs); nil for anything else.
    static func bytes(hex: String) -> [UInt8]? {
        guard !hex.contains(where: \.isWhitespace), let buffer = try? ByteBuffer(plainHexEncodedBytes: hex) else {
            return nil
        }
        return Array(buffer.readableBytesView)
    }
}

/// A service the unit hosts, by kind, with its settings. Which kinds exist and what their
/// settings mean is the business of the Services layer (`ServiceCatalog`). A service with a
/// `sid` is exported to the units below (and relayed to peers); one without is local only.
public struct ServiceDeclaration: Hashable, Sendable, Decodable {
    public var service: String
    public var sid: UInt32?
    /// The name other units see; the kind by default.
    public var name: String?
    public var priority: Int?
    /// Event categories it wants from the units below.
    public var subscriptions: [EventCategory]
    /// Filter rules, in the filter language's text form, selecting the events it wants.
    public var rules: [String]
    /// What a lower unit does with a matching event; nil: the kind's default (SPLIT for the
    /// resolver, which only listens, DIVERT for the others).
    public var action: ProcessChainAction?
    /// What a lower unit does when the answer does not come; nil: the kind's default
    /// (fail-closed for the authenticator, fail-open for the others).
    public var timeoutPolicy: TimeoutPolicy?
    /// Seconds a DIVERTed event waits for the answer.
    public var timeout: Double
    /// Seconds an installed flow lives without traffic (forwarding).
    public var idleTimeout: UInt16?
    /// Seconds an installed flow lives at most (forwarding).
    public var hardTimeout: UInt16?
    /// The policy file (authenticator), relative to the configuration file's folder.
    public var policy: String?
    /// The SID of the resolver to ask (resolver-client).
    public var resolver: UInt32?
    /// Seconds a resolver-client keeps an answer naming a domain, and one saying nobody has
    /// seen the host.
    public var answerLifetime: Double?
    public var negativeLifetime: Double?

    public init(
        service: String, sid: UInt32? = nil, name: String? = nil, priority: Int? = nil,
        subscriptions: [EventCategory] = [],
        rules: [String] = [], action: ProcessChainAction? = nil, timeoutPolicy: TimeoutPolicy? = nil,
        timeout: Double = 1,
        idleTimeout: UInt16? = nil, hardTimeout: UInt16? = nil, policy: String? = nil, resolver: UInt32? = nil
    ) {
        self.policy = policy
        self.resolver = resolver
        self.service = service
        self.sid = sid
        self.name = name
        self.priority = priority
        self.subscriptions = subscriptions
        self.rules = rules
        self.action = action
        self.timeoutPolicy = timeoutPolicy
        self.timeout = timeout
        self.idleTimeout = idleTimeout
        self.hardTimeout = hardTimeout
    }

    enum CodingKeys: String, CodingKey, CaseIterable {
        case service, sid, name, priority, subscriptions, rules, action, timeoutPolicy, timeout, idleTimeout,
            hardTimeout, policy, resolver, answerLifetime, negativeLifetime
    }

    public init(from decoder: any Decoder) throws {
        try decoder.rejectUnknownKeys(CodingKeys.self)
        let container = try decoder.container(keyedBy: CodingKeys.self)
        service = try container.decode(String.self, forKey: .service)
        sid = try container.decodeInteger(.sid)
        name = try container.decodeIfPresent(String.self, forKey: .name)
        priority = try container.decodeIfPresent(Int.self, forKey: .priority)
        let subscriptionNames: [String] = try container.decode(.subscriptions, default: [])
        subscriptions = try subscriptionNames.enumerated().map { index, text in
            try Self.named(
                text, EventCategory.allCases, \.rawValue,
                at: decoder.codingPath + [CodingKeys.subscriptions, AnyCodingKey(index: index)])
        }
        rules = try container.decode(.rules, default: [])
        action = try container.decodeIfPresent(String.self, forKey: .action).map {
            try Self.named(
                $0, ProcessChainAction.allCases, { $0.description.lowercased() },
                at: decoder.codingPath + [CodingKeys.action])
        }
        resolver = try container.decodeInteger(.resolver)
        answerLifetime = try container.decodeIfPresent(Double.self, forKey: .answerLifetime)
        negativeLifetime = try container.decodeIfPresent(Double.self, forKey: .negativeLifetime)
        for (key, value) in [(CodingKeys.answerLifetime, answerLifetime), (.negativeLifetime, negativeLifetime)] {
            try require((value ?? 0) >= 0 && (value ?? 0) <= 86_400, key, "must be 0 to 86400 seconds", decoder)
        }
        timeoutPolicy = try container.decodeIfPresent(String.self, forKey: .timeoutPolicy).map {
            try Self.named(
                $0, TimeoutPolicy.allCases, \.description, at: decoder.codingPath + [CodingKeys.timeoutPolicy])
        }
        policy = try container.decodeIfPresent(String.self, forKey: .policy)
        timeout = try container.decode(.timeout, default: 1)
        idleTimeout = try container.decodeInteger(.idleTimeout)
        hardTimeout = try container.decodeInteger(.hardTimeout)
        try require(
            timeout > 0 && timeout <= 3600, CodingKeys.timeout, "must be more than 0 and at most 3600 seconds", decoder)
        try require(
            (name ?? service).utf8.count <= ExportedService.maximumNameLength, CodingKeys.name,
            "must be at most \(ExportedService.maximumNameLength) bytes", decoder)
        try require(
            rules.count <= ExportedService.maximumRules, CodingKeys.rules,
            "at most \(ExportedService.maximumRules) rules", decoder)
        for (index, rule) in rules.enumerated() {
            let path = decoder.codingPath + [CodingKeys.rules, AnyCodingKey(index: index)]
            guard rule.utf8.count <= ExportedService.maximumRuleLength else {
                throw DecodingError.dataCorrupted(
                    .init(
                        codingPath: path,
                        debugDescription: "a rule may be at most \(ExportedService.maximumRuleLength) bytes"))
            }
            do {
                // A rule that does not compile here would be refused by every unit below.
                var table = FilterTable()
                try table.install([rule], for: ServiceID(sid ?? 0))
            } catch {
                throw DecodingError.dataCorrupted(
                    .init(codingPath: path, debugDescription: "filter does not parse: \(error.error)"))
            }
        }
    }

    /// The value whose name is `text`, or an error at `path` listing the names there are.
    private static func named<T>(
        _ text: String, _ values: [T], _ name: (T) -> String, at path: [any CodingKey]
    ) throws -> T {
        guard let value = values.first(where: { name($0) == text }) else {
            throw DecodingError.dataCorrupted(
                .init(
                    codingPath: path,
                    debugDescription:
                        "unknown value \"\(text)\" (expected one of: \(values.map(name).joined(separator: ", ")))"))
        }
        return value
    }

    /// The service as exported to other units; nil when it has no SID.
    public func exported(origin: UnitID) -> ExportedService? {
        guard let sid else { return nil }
        return ExportedService(
            sid: ServiceID(sid), origin: origin, name: name ?? service, priority: Int32(clamping: priority ?? 0),
            action: action ?? .divert,
            timeoutPolicy: timeoutPolicy ?? .failOpen, subscriptions: Set(subscriptions),
            timeoutMilliseconds: UInt32(timeout * 1000), rules: rules)
    }
}

/// The dispatcher's bounds (`DispatchSettings`), in seconds where they are times.
public struct DispatchConfiguration: Hashable, Sendable, Decodable {
    public var parkedCapacity: Int
    public var transactionCapacity: Int
    public var transactionLifetime: Double
    public var returnsPerTransaction: Int
    public var dropFlowSeconds: UInt16
    public var switchWindow: Int

    public init(
        parkedCapacity: Int = 10_000, transactionCapacity: Int = 65_536, transactionLifetime: Double = 10,
        returnsPerTransaction: Int = 64, dropFlowSeconds: UInt16 = 10, switchWindow: Int = 512
    ) {
        self.switchWindow = switchWindow
        self.parkedCapacity = parkedCapacity
        self.transactionCapacity = transactionCapacity
        self.transactionLifetime = transactionLifetime
        self.returnsPerTransaction = returnsPerTransaction
        self.dropFlowSeconds = dropFlowSeconds
    }

    enum CodingKeys: String, CodingKey, CaseIterable {
        case parkedCapacity, transactionCapacity, transactionLifetime, returnsPerTransaction, dropFlowSeconds
        case switchWindow
    }

    public init(from decoder: any Decoder) throws {
        try decoder.rejectUnknownKeys(CodingKeys.self)
        let container = try decoder.container(keyedBy: CodingKeys.self)
        let defaults = DispatchConfiguration()
        parkedCapacity = try container.decode(.parkedCapacity, default: defaults.parkedCapacity)
        transactionCapacity = try container.decode(.transactionCapacity, default: defaults.transactionCapacity)
        transactionLifetime = try container.decode(.transactionLifetime, default: defaults.transactionLifetime)
        returnsPerTransaction = try container.decode(.returnsPerTransaction, default: defaults.returnsPerTransaction)
        dropFlowSeconds = try container.decodeInteger(.dropFlowSeconds, default: defaults.dropFlowSeconds)
        switchWindow = try container.decode(.switchWindow, default: defaults.switchWindow)
        try require((1...1_000_000).contains(parkedCapacity), CodingKeys.parkedCapacity, "must be 1...1000000", decoder)
        try require(
            (1...1_000_000).contains(transactionCapacity), CodingKeys.transactionCapacity, "must be 1...1000000",
            decoder)
        try require(
            transactionLifetime > 0 && transactionLifetime <= 3600, CodingKeys.transactionLifetime,
            "must be more than 0 and at most 3600 seconds", decoder)
        try require(returnsPerTransaction > 0, CodingKeys.returnsPerTransaction, "must be positive", decoder)
        try require((1...65_536).contains(switchWindow), CodingKeys.switchWindow, "must be 1...65536", decoder)
    }

    public var settings: DispatchSettings {
        DispatchSettings(
            parkedCapacity: parkedCapacity, transactionCapacity: transactionCapacity,
            transactionLifetime: .seconds(transactionLifetime),
            returnsPerTransaction: returnsPerTransaction, dropFlowSeconds: dropFlowSeconds, switchWindow: switchWindow)
    }
}

/// Unit channels: where to listen, whom to dial, and their timers.
public struct UnitChannelSettings: Hashable, Sendable, Decodable {
    public var listen: SocketAddressSpec
    public var upstream: [NeighbourSpec]
    public var peers: [NeighbourSpec]
    public var echoInterval: Double
    public var echoTimeout: Double
    public var handshakeTimeout: Double
    /// Seconds before the first redial of an unreachable neighbour; doubles up to `redialMaximum`.
    public var redialInitial: Double
    public var redialMaximum: Double
    /// Most accepted unit channels still in their handshake; one more is closed at once.
    public var maxPendingHandshakes: Int
    /// Services and routes one neighbour may have this unit learn; a neighbour that exports or
    /// advertises more is refused.
    public var maximumServices: Int
    /// Mutual TLS: this unit's certificate and key, and the control plane's CA, which every
    /// other unit's certificate must chain to.
    public var tls: TLSFiles?
    /// Plain TCP, believing whatever UID a unit claims: for a lab, and said so at start-up.
    public var plaintext: Bool
    /// The units below that may dial this one (with TLS, only these are accepted as downstream).
    public var downstream: [ExpectedUnit]

    /// Unit channels are off (no listener, no dialing) unless the configuration gives `tls` or
    /// says `plaintext`. They listen on loopback unless told otherwise.
    public init(
        listen: SocketAddressSpec = SocketAddressSpec(host: "127.0.0.1", port: 6644), upstream: [NeighbourSpec] = [],
        peers: [NeighbourSpec] = [],
        echoInterval: Double = 0.25, echoTimeout: Double = 0.75, handshakeTimeout: Double = 5,
        redialInitial: Double = 0.05, redialMaximum: Double = 1, maxPendingHandshakes: Int = 256,
        maximumServices: Int = 10_000, tls: TLSFiles? = nil, plaintext: Bool = false,
        downstream: [ExpectedUnit] = []
    ) {
        self.tls = tls
        self.plaintext = plaintext
        self.downstream = downstream
        self.maximumServices = maximumServices
        self.listen = listen
        self.upstream = upstream
        self.peers = peers
        self.echoInterval = echoInterval
        self.echoTimeout = echoTimeout
        self.handshakeTimeout = handshakeTimeout
        self.redialInitial = redialInitial
        self.redialMaximum = redialMaximum
        self.maxPendingHandshakes = maxPendingHandshakes
    }

    enum CodingKeys: String, CodingKey, CaseIterable {
        case listen, upstream, peers, echoInterval, echoTimeout, handshakeTimeout, redialInitial, redialMaximum
        case maxPendingHandshakes, maximumServices, tls, plaintext, downstream
    }

    public init(from decoder: any Decoder) throws {
        try decoder.rejectUnknownKeys(CodingKeys.self)
        let container = try decoder.container(keyedBy: CodingKeys.self)
        let defaults = UnitChannelSettings()
        listen = try container.decode(.listen, default: defaults.listen)
        upstream = try container.decode(.upstream, default: [])
        peers = try container.decode(.peers, default: [])
        echoInterval = try container.decode(.echoInterval, default: defaults.echoInterval)
        echoTimeout = try container.decode(.echoTimeout, default: defaults.echoTimeout)
        handshakeTimeout = try container.decode(.handshakeTimeout, default: defaults.handshakeTimeout)
        redialInitial = try container.decode(.redialInitial, default: defaults.redialInitial)
        redialMaximum = try container.decode(.redialMaximum, default: defaults.redialMaximum)
        maxPendingHandshakes = try container.decode(.maxPendingHandshakes, default: defaults.maxPendingHandshakes)
        maximumServices = try container.decode(.maximumServices, default: defaults.maximumServices)
        tls = try container.decode(.tls, default: nil)
        plaintext = try container.decode(.plaintext, default: false)
        downstream = try container.decode(.downstream, default: [])
        try require(
            !(tls != nil && plaintext), CodingKeys.plaintext,
            "choose one: units.tls (units prove who they are) or units.plaintext (a lab)", decoder)
        let channelsGiven = [CodingKeys.listen, .upstream, .peers, .downstream].filter(container.contains)
        if let given = channelsGiven.first, tls == nil, !plaintext {
            throw DecodingError.dataCorrupted(
                .init(
                    codingPath: decoder.codingPath + [given],
                    debugDescription:
                        "unit channels need units.tls (a certificate, key and CA: `echelon certs`) or, for a lab, units.plaintext: true"
                ))
        }
        if tls != nil {
            for (key, list) in [(CodingKeys.upstream, upstream), (.peers, peers)] {
                if let index = list.firstIndex(where: { $0.uid == nil }) {
                    throw DecodingError.dataCorrupted(
                        .init(
                            codingPath: decoder.codingPath + [
                                key, AnyCodingKey(index: index), AnyCodingKey(stringValue: "uid"),
                            ],
                            debugDescription: "required with units.tls: the UID the unit's certificate names"))
                }
            }
        }
        try require(
            (1...1_000_000).contains(maximumServices), CodingKeys.maximumServices, "must be 1...1000000", decoder)
        try require(echoInterval > 0, CodingKeys.echoInterval, "must be positive", decoder)
        try require(echoTimeout > echoInterval, CodingKeys.echoTimeout, "must be longer than echoInterval", decoder)
        try require(handshakeTimeout > 0, CodingKeys.handshakeTimeout, "must be positive", decoder)
        try require(redialInitial > 0, CodingKeys.redialInitial, "must be positive", decoder)
        try require(redialMaximum >= redialInitial, CodingKeys.redialMaximum, "must be at least redialInitial", decoder)
        try require(
            (1...65_536).contains(maxPendingHandshakes), CodingKeys.maxPendingHandshakes, "must be 1...65536", decoder)
    }

    /// Whether the unit has unit channels at all: it listens and dials only with `tls` or `plaintext`.
    public var enabled: Bool { tls != nil || plaintext }

    /// With TLS, the units the configuration names, each in the relation it names it in.
    public var trust: UnitChannelTrust {
        guard tls != nil else { return .claimed }
        var expected: [UnitID: ChannelRelation] = [:]
        for unit in downstream { expected[UnitID(unit.uid)] = .downstream }
        for neighbour in peers { if let uid = neighbour.uid { expected[UnitID(uid)] = .peer } }
        for neighbour in upstream { if let uid = neighbour.uid { expected[UnitID(uid)] = .upstream } }
        return .certified(expected: expected)
    }

    public func channel(local: UnitIdentity) -> UnitChannelConfiguration {
        UnitChannelConfiguration(
            local: local, echoInterval: .seconds(echoInterval), echoTimeout: .seconds(echoTimeout),
            handshakeTimeout: .seconds(handshakeTimeout), maximumServices: maximumServices, trust: trust)
    }

    public var backoff: RedialBackoff {
        RedialBackoff(initial: .seconds(redialInitial), maximum: .seconds(redialMaximum))
    }
}

/// A unit to dial, by name (for logs) and address, and (required with TLS) the UID its
/// certificate must name.
public struct NeighbourSpec: Hashable, Sendable, Decodable {
    public var name: String
    public var host: String
    public var port: Int
    public var uid: UInt32?

    public init(name: String, host: String, port: Int = 6644, uid: UInt32? = nil) {
        self.name = name
        self.host = host
        self.port = port
        self.uid = uid
    }

    enum CodingKeys: String, CodingKey, CaseIterable { case name, host, port, uid }

    public init(from decoder: any Decoder) throws {
        try decoder.rejectUnknownKeys(CodingKeys.self)
        let container = try decoder.container(keyedBy: CodingKeys.self)
        name = try container.decode(String.self, forKey: .name)
        host = try container.decode(String.self, forKey: .host)
        port = try container.decode(.port, default: 6644)
        uid = try container.decodeInteger(.uid)
        try require((1...65535).contains(port), CodingKeys.port, "must be 1-65535", decoder)
    }

    public var address: SocketAddressSpec { SocketAddressSpec(host: host, port: port) }
}

/// A unit below that may dial this one: its name (for logs) and the UID its certificate names.
public struct ExpectedUnit: Hashable, Sendable, Decodable {
    public var name: String
    public var uid: UInt32

    public init(name: String, uid: UInt32) {
        self.name = name
        self.uid = uid
    }

    enum CodingKeys: String, CodingKey, CaseIterable { case name, uid }

    public init(from decoder: any Decoder) throws {
        try decoder.rejectUnknownKeys(CodingKeys.self)
        let container = try decoder.container(keyedBy: CodingKeys.self)
        name = try container.decode(String.self, forKey: .name)
        uid = try container.decodeInteger(.uid, default: 0)
        try require(uid > 0, CodingKeys.uid, "required: the UID the unit's certificate names", decoder)
    }
}

/// The files of one end of a TLS channel, as paths (relative ones are read from the
/// configuration file's folder): its certificate, its private key, and the CA that the other
/// end's certificate must chain to.
public struct TLSFiles: Hashable, Sendable, Decodable {
    public var certificate: String
    public var key: String
    public var ca: String

    public init(certificate: String, key: String, ca: String) {
        self.certificate = certificate
        self.key = key
        self.ca = ca
    }

    enum CodingKeys: String, CodingKey, CaseIterable { case certificate, key, ca }

    public init(from decoder: any Decoder) throws {
        try decoder.rejectUnknownKeys(CodingKeys.self)
        let container = try decoder.container(keyedBy: CodingKeys.self)
        certificate = try container.decode(String.self, forKey: .certificate)
        key = try container.decode(String.self, forKey: .key)
        ca = try container.decode(String.self, forKey: .ca)
    }

    /// The same files, with relative paths made relative to `folder` instead.
    public func resolved(from folder: String) -> TLSFiles {
        TLSFiles(
            certificate: ConfigurationPath.resolved(certificate, from: folder),
            key: ConfigurationPath.resolved(key, from: folder), ca: ConfigurationPath.resolved(ca, from: folder))
    }

    /// The CA's certificate in a control plane's certificate folder (`echelon certs init`).
    public static func authority(in folder: String) -> String { "\(folder)/ca.pem" }

    /// A unit's files in a control plane's certificate folder (`echelon certs issue UID`).
    public static func unit(_ uid: UInt32, in folder: String) -> TLSFiles {
        TLSFiles(
            certificate: "\(folder)/unit-\(uid).pem", key: "\(folder)/unit-\(uid)-key.pem", ca: authority(in: folder))
    }

    /// An admin client's files in a control plane's certificate folder (`echelon certs
    /// issue-admin NAME`): what `echelon routes` and the like present to an admin API with `tls`.
    public static func adminClient(_ name: String, in folder: String) -> TLSFiles {
        TLSFiles(
            certificate: "\(folder)/admin-\(name).pem", key: "\(folder)/admin-\(name)-key.pem",
            ca: authority(in: folder))
    }

    /// A switch's files in a control plane's certificate folder (`echelon certs issue-switch NAME`).
    public static func networkSwitch(_ name: String, in folder: String) -> TLSFiles {
        TLSFiles(
            certificate: "\(folder)/switch-\(name).pem", key: "\(folder)/switch-\(name)-key.pem",
            ca: authority(in: folder))
    }
}

/// The admin HTTP API that `echelon routes`, `units`, `filters`, `pending` and `counters` read.
public struct AdminSettings: Hashable, Sendable, Decodable {
    /// Loopback by default; anywhere else the API needs a token.
    public var listen: SocketAddressSpec
    /// Most connections served at once; further ones wait, unaccepted, until one closes.
    public var maxConnections: Int
    /// Seconds a connection may send nothing before it is closed, and that a request has to
    /// arrive whole and be answered.
    public var idleTimeout: Double
    /// The bearer token every request must carry (`Authorization: Bearer TOKEN`); nil: none,
    /// which only a loopback `listen` allows. `tokenFile` in the file is read into it.
    public var token: String?
    /// Where the token was read from, if from a file (relative to the configuration's folder).
    public var tokenFile: String?
    /// HTTPS with client certificates: the unit's certificate and key, and the CA that every
    /// client's certificate must chain to (one `echelon certs issue-admin` made); nil: plain
    /// HTTP. Either this or a token lets the API listen beyond loopback.
    public var tls: TLSFiles?

    /// Shortest token accepted: a guessable one protects nothing.
    public static let minimumTokenLength = 16

    public init(
        listen: SocketAddressSpec = SocketAddressSpec(host: "127.0.0.1", port: 8644), maxConnections: Int = 64,
        idleTimeout: Double = 10, token: String? = nil, tls: TLSFiles? = nil
    ) {
        self.listen = listen
        self.maxConnections = maxConnections
        self.idleTimeout = idleTimeout
        self.token = token
        self.tls = tls
    }

    enum CodingKeys: String, CodingKey, CaseIterable {
        case listen, maxConnections, idleTimeout, token, tokenFile, tls
    }

    public init(from decoder: any Decoder) throws {
        try decoder.rejectUnknownKeys(CodingKeys.self)
        let container = try decoder.container(keyedBy: CodingKeys.self)
        let defaults = AdminSettings()
        listen = try container.decode(.listen, default: defaults.listen)
        maxConnections = try container.decode(.maxConnections, default: defaults.maxConnections)
        idleTimeout = try container.decode(.idleTimeout, default: defaults.idleTimeout)
        token = try container.decode(.token, default: nil)
        tokenFile = try container.decode(.tokenFile, default: nil)
        tls = try container.decode(.tls, default: nil)
        try require((1...65_536).contains(maxConnections), CodingKeys.maxConnections, "must be 1...65536", decoder)
        try require(
            idleTimeout > 0 && idleTimeout <= 3600, CodingKeys.idleTimeout,
            "must be more than 0 and at most 3600 seconds", decoder)
        try require(
            !(token != nil && tokenFile != nil), CodingKeys.tokenFile, "choose one: token or tokenFile", decoder)
        if let token {
            try require(
                Self.isAcceptable(token: token), CodingKeys.token,
                "must be \(Self.tokenRule), e.g. from `openssl rand -hex 32`", decoder)
        }
    }

    /// What a token must be, in words.
    public static let tokenRule = "at least \(minimumTokenLength) characters with no spaces"

    /// Whether the API takes `token` as one: long enough, and one word (it travels in a header).
    public static func isAcceptable(token: String) -> Bool {
        token.count >= minimumTokenLength && !token.contains(where: \.isWhitespace)
    }

    /// The token a token file holds: its contents without the whitespace around them (a final
    /// newline); nil when the file cannot be read.
    public static func token(inFile path: String) -> String? {
        FileManager.default.contents(atPath: path).map {
            String(decoding: $0, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        }
    }

    /// Whether requests must prove who sends them, by the token or by a client certificate:
    /// the API listens somewhere other than loopback.
    public var needsAuthentication: Bool { !listen.isLoopback }

    /// How requests prove who sends them, in words for the start-up line.
    public var authentication: String {
        switch (token, tls) {
        case (nil, nil): "none (loopback)"
        case (nil, .some): "client certificate"
        case (.some, nil): "bearer token"
        case (.some, .some): "client certificate and bearer token"
        }
    }
}

func require<Key: CodingKey>(_ condition: Bool, _ key: Key, _ problem: String, _ decoder: any Decoder) throws {
    guard condition else {
        throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath + [key], debugDescription: problem))
    }
}

extension TimeAmount {
    static func seconds(_ value: Double) -> TimeAmount { .nanoseconds(Int64(value * 1_000_000_000)) }

    /// A time from seconds as configuration files write them.
    public static func duration(seconds value: Double) -> TimeAmount { .seconds(value) }
}
