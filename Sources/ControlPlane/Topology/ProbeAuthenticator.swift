import Crypto
import OpenFlow
import Packets
import UnitProtocol

/// Signs this unit's LLDP probes and checks the ones that come back, so that a host cannot
/// make the unit believe in a link that is not there (a forged probe claiming another
/// switch's port, or a genuine one captured and sent again later or elsewhere).
///
/// A probe carries its origin (the unit's UID, and the time it was signed) and an HMAC-SHA256
/// of everything it claims under the key the units of one control plane share (cut to 16
/// bytes). A probe is accepted when the MAC checks, it is no older than `maximumAge` (nor
/// further ahead than that: the units' clocks differ a little), and it is newer than the last
/// probe accepted from the same port: a probe comes back once, so a second copy is a replay.
/// A unit given no key makes up its own, and then accepts only its own probes. Pure: the time
/// is passed in, in microseconds since the Unix epoch (probes cross units, whose monotonic
/// clocks have nothing in common).
public struct ProbeAuthenticator: Sendable {
    public let unit: UnitID
    private let key: SymmetricKey
    public let maximumAge: UInt64
    /// The time the last probe was signed with: each gets a later one.
    private var lastSigned: UInt64 = 0
    /// The newest probe accepted from each sending port.
    private var lastAccepted: [HostLocation: UInt64] = [:]

    /// Key sizes accepted from configuration, in bytes.
    public static let keySizes = 16...64

    public init(unit: UnitID, key: [UInt8], maximumAgeMicroseconds: UInt64 = 5_000_000) {
        self.unit = unit
        self.key = SymmetricKey(data: key)
        self.maximumAge = maximumAgeMicroseconds
    }

    /// A key of this unit's own, for a unit whose configuration gives none.
    public static func randomKey() -> [UInt8] {
        SymmetricKey(size: .bits256).withUnsafeBytes { Array($0) }
    }

    /// The probe, with this unit as its origin at `now` and its authenticator.
    public mutating func sign(_ probe: LLDPProbe, now: UInt64) -> LLDPProbe {
        lastSigned = max(now, lastSigned + 1)
        var signed = probe
        signed.origin = LLDPProbe.Origin(unit: unit.rawValue, sentAt: lastSigned)
        signed.authenticator = authenticator(for: signed)
        return signed
    }

    /// Whether a probe that arrived at `now` is to be believed; when it is, the unit that sent it.
    public mutating func verify(_ probe: LLDPProbe, now: UInt64) -> Result<UnitID, ProbeRejection> {
        guard let origin = probe.origin, let presented = probe.authenticator else { return .failure(.unsigned) }
        guard Self.equalInConstantTime(presented, authenticator(for: probe)) else { return .failure(.badAuthenticator) }
        if origin.sentAt < now, now - origin.sentAt > maximumAge { return .failure(.stale) }
        if origin.sentAt > now, origin.sentAt - now > maximumAge { return .failure(.fromTheFuture) }
        let source = HostLocation(datapathID: probe.datapathID, port: probe.port)
        if let last = lastAccepted[source], origin.sentAt <= last { return .failure(.replayed) }
        lastAccepted[source] = origin.sentAt
        return .success(UnitID(origin.unit))
    }

    /// A switch left: what was accepted from its ports is forgotten with it.
    public mutating func forget(_ datapathID: DatapathID) {
        lastAccepted = lastAccepted.filter { $0.key.datapathID != datapathID }
    }

    private func authenticator(for probe: LLDPProbe) -> [UInt8] {
        let code = HMAC<SHA256>.authenticationCode(for: probe.signedBytes, using: key)
        return Array(code.prefix(LLDPProbe.authenticatorLength))
    }

    /// Compares every byte, whatever the first difference: how long the check takes says nothing
    /// about how much of a forged MAC was right.
    private static func equalInConstantTime(_ a: [UInt8], _ b: [UInt8]) -> Bool {
        guard a.count == b.count else { return false }
        var difference: UInt8 = 0
        for (x, y) in zip(a, b) { difference |= x ^ y }
        return difference == 0
    }
}

/// Why a probe was not believed.
public enum ProbeRejection: String, Error, Hashable, Sendable, CustomStringConvertible {
    /// It carries no origin or no authenticator (an old unit's, or a forgery that did not try).
    case unsigned
    /// Its MAC does not check: forged, altered, or signed with another control plane's key.
    case badAuthenticator = "bad_authenticator"
    /// Signed longer ago than probes travel: captured and sent again.
    case stale
    /// Signed further ahead of our clock than the units' clocks differ.
    case fromTheFuture = "from_the_future"
    /// Not newer than a probe already accepted from the same port: a copy.
    case replayed
    /// LLDP whose TLVs are truncated or lie about their lengths, or an Echelon TLV of the wrong size.
    case malformed
    /// Genuine and from this unit, but naming a port its switch does not have.
    case unknownPort = "unknown_port"

    public var description: String {
        switch self {
        case .unsigned: "an unsigned probe"
        case .badAuthenticator: "a probe whose authenticator does not check"
        case .stale: "a stale probe (captured and replayed?)"
        case .fromTheFuture: "a probe signed ahead of this unit's clock"
        case .replayed: "a probe no newer than one already accepted from its port (a replay)"
        case .malformed: "a malformed LLDP frame (truncated or mis-sized TLVs)"
        case .unknownPort: "a probe naming a port its switch does not have"
        }
    }
}
