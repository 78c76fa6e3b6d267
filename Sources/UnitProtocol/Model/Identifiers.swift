import OpenFlow

/// A unit's id (UID), unique in a control plane; from the unit's configuration.
public struct UnitID: RawRepresentable, OneWordHashable, Comparable, Sendable, Codable, CustomStringConvertible {
    public let rawValue: UInt32
    public init(rawValue: UInt32) { self.rawValue = rawValue }
    public init(_ rawValue: UInt32) { self.rawValue = rawValue }
    public static func < (lhs: UnitID, rhs: UnitID) -> Bool { lhs.rawValue < rhs.rawValue }
    public var description: String { "u\(rawValue)" }
}

/// A hosted service's id (SID), unique in a control plane; from the hosting unit's configuration.
public struct ServiceID: RawRepresentable, OneWordHashable, Comparable, Sendable, Codable, CustomStringConvertible {
    public let rawValue: UInt32
    public init(rawValue: UInt32) { self.rawValue = rawValue }
    public init(_ rawValue: UInt32) { self.rawValue = rawValue }
    public static func < (lhs: ServiceID, rhs: ServiceID) -> Bool { lhs.rawValue < rhs.rawValue }
    public var description: String { "s\(rawValue)" }
}
