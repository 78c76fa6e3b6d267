/// Why a sequence of bytes is not a valid message.
///
/// Every error names the wire field it stopped at (in the OpenFlow specification's own
/// spelling, e.g. `ofp_action_header.len`) and the byte offset of that field from the start of
/// the message, so that an operator can find the bad byte in a capture.
public struct WireError: Error, Hashable, Sendable, CustomStringConvertible {
    public enum Reason: Hashable, Sendable {
        /// The message ended before the field: `needed` bytes were required, `available` remained.
        case truncated(needed: Int, available: Int)
        /// A length field claims fewer bytes than the structure it describes occupies.
        case lengthBelowMinimum(length: Int, minimum: Int)
        /// A length field claims more bytes than are permitted or present.
        case lengthAboveMaximum(length: Int, maximum: Int)
        /// A length field that must be a multiple of `multiple` is not.
        case lengthNotMultiple(length: Int, multiple: Int)
        /// A body whose size is fixed by its type has another size.
        case wrongBodySize(size: Int, expected: Int)
        /// A body made of fixed-size entries does not divide into whole entries.
        case bodyNotMultiple(size: Int, entrySize: Int)
        /// The protocol version is not one we speak.
        case unsupportedVersion(UInt8)
        /// A type or discriminator value with no meaning in this position.
        case unknownType(UInt64)
        /// A field holds a value outside its legal range.
        case invalidValue(UInt64)
        /// Bytes remain after the last structure the message can contain.
        case trailingBytes(count: Int)
        /// A text field is not valid UTF-8.
        case invalidText
    }

    public var reason: Reason
    /// The field as the specification names it.
    public var field: String
    /// Offset of `field` from the first byte of the message.
    public var offset: Int

    public init(_ reason: Reason, field: String, offset: Int) {
        self.reason = reason
        self.field = field
        self.offset = offset
    }

    public var description: String {
        "\(field) at offset \(offset): \(reasonDescription)"
    }

    public var reasonDescription: String {
        switch reason {
        case .truncated(let needed, let available):
            return "truncated: needs \(needed) bytes, \(available) available"
        case .lengthBelowMinimum(let length, let minimum):
            return "length \(length) is below the minimum \(minimum)"
        case .lengthAboveMaximum(let length, let maximum):
            return "length \(length) is above the maximum \(maximum)"
        case .lengthNotMultiple(let length, let multiple):
            return "length \(length) is not a multiple of \(multiple)"
        case .wrongBodySize(let size, let expected):
            return "body is \(size) bytes, expected \(expected)"
        case .bodyNotMultiple(let size, let entrySize):
            return "body of \(size) bytes is not a whole number of \(entrySize)-byte entries"
        case .unsupportedVersion(let version):
            return "unsupported version 0x\(String(version, radix: 16))"
        case .unknownType(let value):
            return "unknown type \(value)"
        case .invalidValue(let value):
            return "invalid value \(value)"
        case .trailingBytes(let count):
            return "\(count) unexpected trailing bytes"
        case .invalidText:
            return "text is not valid UTF-8"
        }
    }
}
