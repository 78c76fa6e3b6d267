import NIOCore

/// Identifies a switch channel to the control-plane logic, which must not hold channels.
public struct ConnectionID: Hashable, Sendable, CustomStringConvertible {
    let raw: ObjectIdentifier
    init(_ channel: any Channel) { raw = ObjectIdentifier(channel) }
    public var description: String { "#\(UInt(bitPattern: raw.hashValue) % 100_000)" }
}
