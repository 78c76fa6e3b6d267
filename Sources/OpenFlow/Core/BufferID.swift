/// The switch's handle for a packet it kept in its buffer; `none` means the whole packet was sent.
public struct BufferID: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    public let rawValue: UInt32
    public init(rawValue: UInt32) { self.rawValue = rawValue }
    public init(_ rawValue: UInt32) { self.rawValue = rawValue }

    public static let none = BufferID(0xffff_ffff)

    public var description: String {
        self == .none ? "none" : "0x" + String(rawValue, radix: 16)
    }
}
