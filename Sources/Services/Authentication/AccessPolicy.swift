import ControlPlane
import Foundation
import OpenFlow

/// Which hosts may use the network: the authenticator's policy file.
///
/// ```json
/// { "default": "deny",
///   "allow": [ { "mac": "00:00:00:00:00:01" },
///              { "mac": "00:00:00:00:00:02", "switch": "00:00:00:00:00:00:00:02", "port": 1 } ],
///   "deny":  [ { "mac": "00:00:00:00:00:66" } ] }
/// ```
///
/// An entry names a host by MAC and, optionally, where it must be attached: a switch (DPID),
/// or a switch and a port. A deny entry that matches wins over an allow entry; a host neither
/// names gets the default.
public struct AccessPolicy: Hashable, Sendable {
    public enum Verdict: String, Hashable, Sendable, Codable {
        case allow
        case deny
    }

    public struct Entry: Hashable, Sendable {
        public var mac: MACAddress
        public var datapathID: DatapathID?
        public var port: PortNumber?

        public init(mac: MACAddress, datapathID: DatapathID? = nil, port: PortNumber? = nil) {
            self.mac = mac
            self.datapathID = datapathID
            self.port = port
        }

        /// Whether it names this host, attached here (an entry with a place does not name a
        /// host whose place is not known).
        func matches(_ mac: MACAddress, at location: HostLocation?) -> Bool {
            guard mac == self.mac else { return false }
            guard let datapathID else { return true }
            guard let location, location.datapathID == datapathID else { return false }
            return port == nil || port == location.port
        }
    }

    public var defaultVerdict: Verdict
    public var allowed: [Entry]
    public var denied: [Entry]

    public init(defaultVerdict: Verdict = .deny, allowed: [Entry] = [], denied: [Entry] = []) {
        self.defaultVerdict = defaultVerdict
        self.allowed = allowed
        self.denied = denied
    }

    public func verdict(for mac: MACAddress, at location: HostLocation?) -> Verdict {
        if denied.contains(where: { $0.matches(mac, at: location) }) { return .deny }
        if allowed.contains(where: { $0.matches(mac, at: location) }) { return .allow }
        return defaultVerdict
    }

    /// Reads a policy file; a file that cannot be read or used is an error naming the file,
    /// the JSON path and the problem.
    public static func load(from path: String) throws(ConfigurationError) -> AccessPolicy {
        let data: Data
        do {
            data = try Data(contentsOf: URL(fileURLWithPath: path))
        } catch {
            throw ConfigurationError(file: path, path: "", problem: "cannot read it: \(error.localizedDescription)")
        }
        return try parse(data, file: path)
    }

    public static func parse(_ data: Data, file: String) throws(ConfigurationError) -> AccessPolicy {
        do {
            return try JSONDecoder().decode(PolicyFile.self, from: data).policy
        } catch let error as DecodingError {
            throw ConfigurationError(file: file, decodingError: error)
        } catch {
            throw ConfigurationError(file: file, path: "", problem: "\(error)")
        }
    }
}

/// The file's form, checked strictly: unknown fields, malformed addresses and a port without
/// its switch are errors at their path.
private struct PolicyFile: Decodable {
    var policy: AccessPolicy

    enum CodingKeys: String, CodingKey, CaseIterable {
        case `default`, allow, deny
    }

    init(from decoder: any Decoder) throws {
        try decoder.rejectUnknownKeys(CodingKeys.self)
        let container = try decoder.container(keyedBy: CodingKeys.self)
        let verdict = try container.decode(String.self, forKey: .default)
        guard let defaultVerdict = AccessPolicy.Verdict(rawValue: verdict) else {
            throw DecodingError.dataCorruptedError(
                forKey: .default, in: container,
                debugDescription: "unknown value \"\(verdict)\" (expected one of: allow, deny)")
        }
        policy = AccessPolicy(
            defaultVerdict: defaultVerdict,
            allowed: try container.decode(.allow, default: [EntryFile]()).map(\.entry),
            denied: try container.decode(.deny, default: [EntryFile]()).map(\.entry))
    }
}

private struct EntryFile: Decodable {
    var entry: AccessPolicy.Entry

    enum CodingKeys: String, CodingKey, CaseIterable {
        case mac, `switch`, port
    }

    init(from decoder: any Decoder) throws {
        try decoder.rejectUnknownKeys(CodingKeys.self)
        let container = try decoder.container(keyedBy: CodingKeys.self)
        let text = try container.decode(String.self, forKey: .mac)
        guard let mac = MACAddress(text) else {
            throw DecodingError.dataCorruptedError(
                forKey: .mac, in: container, debugDescription: "\"\(text)\" is not a MAC address (aa:bb:cc:dd:ee:ff)")
        }
        var datapathID: DatapathID?
        if let dpid = try container.decodeIfPresent(String.self, forKey: .switch) {
            guard let parsed = DatapathID(dpid) else {
                throw DecodingError.dataCorruptedError(
                    forKey: .switch, in: container,
                    debugDescription: "\"\(dpid)\" is not a DPID (eight hex bytes, 00:00:00:00:00:00:00:01)")
            }
            datapathID = parsed
        }
        let port: UInt16? = try container.decodeInteger(.port)
        if port != nil && datapathID == nil {
            throw DecodingError.dataCorruptedError(
                forKey: .port, in: container, debugDescription: "a port needs its switch (\"switch\": DPID)")
        }
        entry = AccessPolicy.Entry(mac: mac, datapathID: datapathID, port: port.map(PortNumber.init(rawValue:)))
    }
}
