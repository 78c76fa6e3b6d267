import ControlPlane
import Foundation
import OpenFlow

/// A whole control plane in one file: every unit (tier, addresses, services, settings), the
/// channels between them (by the names of the units), and which switches form each domain.
/// Each unit's own file (`UnitConfiguration`) is derived from it (`unitFiles`), so nothing is
/// written twice by hand. Besides what each unit's file checks, it catches what only the whole
/// shows: a neighbour that does not exist, an upstream that is not above, a cycle of upstream
/// links, two units on one address, a domain with no unit, a switch in two domains.
public struct ControlPlaneDescription: Hashable, Sendable, Decodable {
    public var name: String
    /// The key every unit signs its LLDP probes with, so that they believe each other's.
    public var probeKey: String?
    /// How units prove who they are to each other: mutual TLS with certificates of the control
    /// plane's own CA (the default; `topologize` makes them in `pki/` beside the unit files),
    /// or plain TCP for a lab.
    public var unitChannels: UnitChannelSecurity
    public var units: [Unit]

    public enum UnitChannelSecurity: String, Hashable, Sendable, Decodable, CaseIterable {
        case tls
        case plaintext
    }

    /// The folder, beside the unit files, of the control plane's CA and its units' certificates.
    public static let certificateFolder = "pki"

    public var domains: [Domain]
    /// Cables between switches (by DPID), within a domain or joining two; for
    /// `topologize mininet`. Without any, each domain's switches are chained in the order given.
    public var links: [SwitchLink]

    /// Two switches joined by a cable, written `[1, 2]`.
    public struct SwitchLink: Hashable, Sendable, Decodable {
        public var a: UInt64
        public var b: UInt64

        public init(from decoder: any Decoder) throws {
            var container = try decoder.unkeyedContainer()
            a = try container.decode(UInt64.self)
            b = try container.decode(UInt64.self)
            guard container.isAtEnd else {
                throw DecodingError.dataCorruptedError(in: container, debugDescription: "a link is two DPIDs, [a, b]")
            }
        }
    }

    public struct Unit: Hashable, Sendable, Decodable {
        public var name: String
        public var uid: UInt32
        public var tier: UInt8
        /// Where it listens for switches, for units, and for admin requests.
        public var switches: SocketAddressSpec
        public var unitsAddress: SocketAddressSpec
        public var admin: SocketAddressSpec
        /// The units it dials, by name.
        public var upstream: [String]
        public var peers: [String]
        /// Its services, as a unit file writes them.
        public var services: [JSONValue]
        /// The rest of a unit file's sections (`switches`, `units`, `admin`, `hosts`, `links`,
        /// `dispatch`), but for what this description says itself.
        public var settings: [String: JSONValue]

        enum CodingKeys: String, CodingKey, CaseIterable {
            case name, uid, tier, switches, units, admin, upstream, peers, services, settings
        }

        public init(from decoder: any Decoder) throws {
            try decoder.rejectUnknownKeys(CodingKeys.self)
            let container = try decoder.container(keyedBy: CodingKeys.self)
            name = try container.decode(String.self, forKey: .name)
            uid = try container.decodeInteger(.uid) ?? 0
            tier = try container.decodeInteger(.tier) ?? 0
            switches = try container.decode(SocketAddressSpec.self, forKey: .switches)
            unitsAddress = try container.decode(SocketAddressSpec.self, forKey: .units)
            admin = try container.decode(SocketAddressSpec.self, forKey: .admin)
            upstream = try container.decode(.upstream, default: [])
            peers = try container.decode(.peers, default: [])
            services = try container.decode(.services, default: [])
            settings = try container.decode(.settings, default: [:])
            try require(!name.isEmpty, CodingKeys.name, "must not be empty", decoder)
            try require(uid > 0, CodingKeys.uid, "required: a number from 1 that no other unit has", decoder)
            try require(tier > 0, CodingKeys.tier, "required: 1 for a domain's unit, higher above", decoder)
            for (key, value) in settings {
                let path = decoder.codingPath + [CodingKeys.settings, AnyCodingKey(stringValue: key)]
                guard Self.settingSections.contains(key), let section = value.objectValue else {
                    throw DecodingError.dataCorrupted(
                        .init(
                            codingPath: path,
                            debugDescription:
                                "expected one of \(Self.settingSections.sorted().joined(separator: ", ")), an object"))
                }
                for given in Self.describedHere[key, default: []] where section[given] != nil {
                    throw DecodingError.dataCorrupted(
                        .init(
                            codingPath: path + [AnyCodingKey(stringValue: given)],
                            debugDescription: "set by the description itself (the unit's addresses and neighbours)"))
                }
            }
        }

        static let settingSections: Set<String> = ["switches", "units", "admin", "hosts", "links", "dispatch"]
        /// What the description says for every unit, and a unit's settings may not say again.
        static let describedHere: [String: [String]] = [
            "switches": ["listen"], "units": ["listen", "upstream", "peers", "downstream", "tls", "plaintext"],
            "admin": ["listen"],
            "links": ["probeKey"],
        ]
    }

    public struct Domain: Hashable, Sendable, Decodable {
        public var name: String
        /// The tier-1 unit its switches connect to.
        public var unit: String
        /// Its switches' datapath IDs.
        public var switches: [UInt64]

        enum CodingKeys: String, CodingKey, CaseIterable { case name, unit, switches }

        public init(from decoder: any Decoder) throws {
            try decoder.rejectUnknownKeys(CodingKeys.self)
            let container = try decoder.container(keyedBy: CodingKeys.self)
            name = try container.decode(String.self, forKey: .name)
            unit = try container.decode(String.self, forKey: .unit)
            switches = try container.decode(.switches, default: [])
        }
    }

    enum CodingKeys: String, CodingKey, CaseIterable { case name, probeKey, unitChannels, units, domains, links }

    public init(from decoder: any Decoder) throws {
        try decoder.rejectUnknownKeys(CodingKeys.self)
        let container = try decoder.container(keyedBy: CodingKeys.self)
        name = try container.decode(String.self, forKey: .name)
        probeKey = try container.decodeIfPresent(String.self, forKey: .probeKey)
        let security = try container.decode(.unitChannels, default: UnitChannelSecurity.tls.rawValue)
        guard let unitChannels = UnitChannelSecurity(rawValue: security) else {
            throw DecodingError.dataCorrupted(
                .init(
                    codingPath: decoder.codingPath + [CodingKeys.unitChannels],
                    debugDescription: "expected \"tls\" (the default) or \"plaintext\" (a lab), got \"\(security)\""))
        }
        self.unitChannels = unitChannels
        units = try container.decode([Unit].self, forKey: .units)
        domains = try container.decode(.domains, default: [])
        links = try container.decode(.links, default: [])
        try require(!units.isEmpty, CodingKeys.units, "must name at least one unit", decoder)
    }

    /// Reads a description and checks it as a whole (each unit's own file is checked when it
    /// is derived).
    public static func load(path: String) throws(ConfigurationError) -> ControlPlaneDescription {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ConfigurationError(file: path, path: "", problem: "cannot read the file")
        }
        let description: ControlPlaneDescription
        do {
            description = try JSONDecoder().decode(ControlPlaneDescription.self, from: data)
        } catch let error as DecodingError {
            throw ConfigurationError(file: path, decodingError: error)
        } catch {
            throw ConfigurationError(file: path, path: "", problem: "\(error)")
        }
        if let (at, problem) = description.problemAsAWhole() {
            throw ConfigurationError(file: path, path: at, problem: problem)
        }
        return description
    }

    public func unit(named name: String) -> Unit? { units.first { $0.name == name } }

    /// The web page of the highest unit, following every other unit (`/?units=`).
    public var webPage: String {
        func authority(_ unit: Unit) -> String { unit.admin.dialable.description }
        let ordered = units.sorted { ($0.tier, $1.name) > ($1.tier, $0.name) }
        guard let top = ordered.first else { return "" }
        let others = ordered.dropFirst().map(authority)
        return "http://\(authority(top))/" + (others.isEmpty ? "" : "?units=" + others.joined(separator: ","))
    }

    /// What is wrong with the description as a whole, and where (a JSON path), if anything.
    func problemAsAWhole() -> (path: String, problem: String)? {
        var byName: [String: Int] = [:]
        var byUID: [UInt32: Int] = [:]
        var byAddress: [SocketAddressSpec: String] = [:]
        for (index, unit) in units.enumerated() {
            if let first = byName.updateValue(index, forKey: unit.name) {
                return ("$.units[\(index)].name", "\"\(unit.name)\" is also the name of units[\(first)]")
            }
            if let first = byUID.updateValue(index, forKey: unit.uid) {
                return ("$.units[\(index)].uid", "\(unit.uid) is also the UID of units[\(first)]")
            }
            for (field, address) in [("switches", unit.switches), ("units", unit.unitsAddress), ("admin", unit.admin)] {
                let here = "$.units[\(index)].\(field)"
                if let other = byAddress.updateValue(here, forKey: address) {
                    return (here, "\(address) is also \(other)")
                }
            }
        }
        for (index, unit) in units.enumerated() {
            for (field, names) in [("upstream", unit.upstream), ("peers", unit.peers)] {
                for (position, name) in names.enumerated() {
                    let here = "$.units[\(index)].\(field)[\(position)]"
                    guard let other = self.unit(named: name) else {
                        return (
                            here, "no unit is named \"\(name)\" (units: \(units.map(\.name).joined(separator: ", ")))"
                        )
                    }
                    if other.name == unit.name { return (here, "a unit cannot be its own neighbour") }
                    if field == "upstream", other.tier <= unit.tier {
                        return (
                            here, "\"\(name)\" is tier \(other.tier): an upstream unit must be above tier \(unit.tier)"
                        )
                    }
                    if field == "peers", other.tier != unit.tier {
                        return (
                            here, "\"\(name)\" is tier \(other.tier): a peer must be of the same tier, \(unit.tier)"
                        )
                    }
                }
            }
        }
        if let cycle = upstreamCycle() {
            return ("$.units", "the upstream links go round in a cycle: \(cycle.joined(separator: " → "))")
        }
        var domainOf: [UInt64: String] = [:]
        for (index, domain) in domains.enumerated() {
            guard let unit = self.unit(named: domain.unit) else {
                return ("$.domains[\(index)].unit", "no unit is named \"\(domain.unit)\": the domain has no unit")
            }
            if unit.tier != 1 {
                return ("$.domains[\(index)].unit", "\"\(unit.name)\" is tier \(unit.tier): switches connect to tier 1")
            }
            for (position, dpid) in domain.switches.enumerated() {
                if let other = domainOf.updateValue(domain.name, forKey: dpid) {
                    return (
                        "$.domains[\(index)].switches[\(position)]",
                        "switch \(DatapathID(rawValue: dpid)) is in domain \"\(other)\" already"
                    )
                }
            }
        }
        var cabled: Set<[UInt64]> = []
        for (index, link) in links.enumerated() {
            for dpid in [link.a, link.b] where domainOf[dpid] == nil {
                return ("$.links[\(index)]", "switch \(DatapathID(rawValue: dpid)) is in no domain")
            }
            if link.a == link.b { return ("$.links[\(index)]", "a link joins two different switches") }
            if !cabled.insert([min(link.a, link.b), max(link.a, link.b)]).inserted {
                return ("$.links[\(index)]", "these two switches are joined already")
            }
        }
        return nil
    }

    /// A cycle of upstream links, by unit names, if there is one. Tiers alone rule it out when
    /// each upstream is above, but the check does not rely on that.
    private func upstreamCycle() -> [String]? {
        var state: [String: Bool] = [:]  // false: on the current path; true: done
        var path: [String] = []
        func visit(_ name: String) -> [String]? {
            if let done = state[name] {
                guard !done, let start = path.firstIndex(of: name) else { return nil }
                return Array(path[start...]) + [name]
            }
            state[name] = false
            path.append(name)
            for next in unit(named: name)?.upstream ?? [] {
                if let cycle = visit(next) { return cycle }
            }
            path.removeLast()
            state[name] = true
            return nil
        }
        for unit in units {
            if let cycle = visit(unit.name) { return cycle }
        }
        return nil
    }
}

extension ControlPlaneDescription {
    /// Each unit's own file, derived: its addresses, its neighbours' addresses, the shared probe
    /// key, its services and settings. Relative paths in services (an authenticator's policy)
    /// are rewritten to stay right from `folder`, where the files will be, given that the
    /// description is in `descriptionFolder`. Each file is checked as the unit will read it; a
    /// problem is reported at its place in the description.
    public func unitFiles(
        file: String, descriptionFolder: String, folder: String
    ) throws(ConfigurationError) -> [(name: String, json: Data)] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        var files: [(name: String, json: Data)] = []
        for (index, unit) in units.enumerated() {
            var document = unit.settings
            func section(_ key: String, _ values: [String: JSONValue]) {
                document[key] = .object((document[key]?.objectValue ?? [:]).merging(values) { _, new in new })
            }
            document["uid"] = .integer(Int64(unit.uid))
            document["name"] = .string(unit.name)
            document["tier"] = .integer(Int64(unit.tier))
            section("switches", ["listen": .string(unit.switches.description)])
            var channels: [String: JSONValue] = ["listen": .string(unit.unitsAddress.description)]
            if !unit.upstream.isEmpty { channels["upstream"] = .array(unit.upstream.compactMap { dialing($0) }) }
            if !unit.peers.isEmpty { channels["peers"] = .array(unit.peers.compactMap { dialing($0) }) }
            let below = units.filter { $0.upstream.contains(unit.name) }
            if !below.isEmpty {
                channels["downstream"] = .array(
                    below.map { .object(["name": .string($0.name), "uid": .integer(Int64($0.uid))]) })
            }
            switch unitChannels {
            case .plaintext:
                channels["plaintext"] = .bool(true)
            case .tls:
                let files = TLSFiles.unit(unit.uid, in: Self.certificateFolder)
                channels["tls"] = .object([
                    "certificate": .string(files.certificate), "key": .string(files.key), "ca": .string(files.ca),
                ])
            }
            section("units", channels)
            section("admin", ["listen": .string(unit.admin.description)])
            if let probeKey { section("links", ["probeKey": .string(probeKey)]) }
            document["services"] = .array(
                unit.services.map { Self.rebased($0, from: descriptionFolder, to: folder) })
            let json: Data
            do {
                json = try encoder.encode(document) + Data("\n".utf8)
                _ = try JSONDecoder().decode(UnitConfiguration.self, from: json)
            } catch let error as DecodingError {
                var problem = ConfigurationError(file: file, decodingError: error)
                problem.path = "$.units[\(index)] (its unit file: \(problem.path))"
                throw problem
            } catch {
                throw ConfigurationError(file: file, path: "$.units[\(index)]", problem: "\(error)")
            }
            files.append((unit.name, json))
        }
        return files
    }

    /// How a unit dials the one named: its unit address (loopback for one that listens on
    /// every interface).
    private func dialing(_ name: String) -> JSONValue? {
        guard let other = unit(named: name) else { return nil }
        let address = other.unitsAddress.dialable
        return .object([
            "name": .string(name), "host": .string(address.host), "port": .integer(Int64(address.port)),
            "uid": .integer(Int64(other.uid)),
        ])
    }

    /// A service declaration with a relative `policy` path made relative to `folder` instead.
    public static func rebased(_ service: JSONValue, from descriptionFolder: String, to folder: String) -> JSONValue {
        guard var fields = service.objectValue, case .string(let policy)? = fields["policy"], !policy.hasPrefix("/")
        else { return service }
        let target = URL(fileURLWithPath: descriptionFolder).appendingPathComponent(policy).standardizedFileURL
        fields["policy"] = .string(
            relativePath(of: target.path, from: URL(fileURLWithPath: folder).standardizedFileURL.path))
        return .object(fields)
    }

    static func relativePath(of target: String, from folder: String) -> String {
        let to = target.split(separator: "/")
        let from = folder.split(separator: "/")
        let common = zip(to, from).prefix { $0 == $1 }.count
        return (Array(repeating: "..", count: from.count - common) + to[common...].map(String.init))
            .joined(separator: "/")
    }
}
