/// Identifies a switch channel to the control-plane logic, which must not hold channels: the
/// runtime makes one per channel, a test writes a number.
///
/// A concrete type rather than a generic parameter of the unit controller: the runtime lives
/// in another module, where generic control-plane code would run unspecialised, with a
/// metadata look-up on its per-packet paths.
public struct ConnectionID: RawRepresentable, Hashable, Sendable, ExpressibleByIntegerLiteral, CustomStringConvertible {
    public let rawValue: UInt
    public init(rawValue: UInt) { self.rawValue = rawValue }
    public init(integerLiteral value: UInt) { rawValue = value }
    public var description: String { "#\(rawValue % 100_000)" }
}
