/// What a unit does with an event that matches a remote service's filter.
///
/// ALLOW continues locally; SPLIT sends a copy up and continues; DIVERT sends it up and stops
/// until the answer returns; DENY drops it. On the wire, one byte with these values.
public enum ProcessChainAction: UInt8, CaseIterable, Hashable, Sendable, Codable, CustomStringConvertible {
    case allow = 0
    case split = 1
    case divert = 2
    case deny = 3

    public var description: String {
        switch self {
        case .allow: "ALLOW"
        case .split: "SPLIT"
        case .divert: "DIVERT"
        case .deny: "DENY"
        }
    }
}

/// What happens to a DIVERTed event whose answer does not come back in time. One byte.
public enum TimeoutPolicy: UInt8, CaseIterable, Hashable, Sendable, Codable, CustomStringConvertible {
    /// Processing resumes locally as if the service had allowed the event.
    case failOpen = 0
    /// The event is dropped.
    case failClosed = 1

    public var description: String {
        switch self {
        case .failOpen: "fail-open"
        case .failClosed: "fail-closed"
        }
    }
}
