/// Identifies a unit channel to the control-plane logic, which must not hold channels: the
/// runtime numbers its channels, a test writes a number.
public struct UnitChannelID: RawRepresentable, Hashable, Sendable, ExpressibleByIntegerLiteral,
    CustomStringConvertible
{
    public let rawValue: UInt
    public init(rawValue: UInt) { self.rawValue = rawValue }
    public init(integerLiteral value: UInt) { rawValue = value }
    public var description: String { "channel #\(rawValue)" }
}
