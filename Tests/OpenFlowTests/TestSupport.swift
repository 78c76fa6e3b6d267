import NIOCore
import OpenFlow

extension ByteBuffer {
    /// Bytes from hex text; whitespace is ignored.
    init?(hex: String) {
        let digits = hex.filter { !$0.isWhitespace }
        guard digits.count % 2 == 0 else { return nil }
        var bytes: [UInt8] = []
        var index = digits.startIndex
        while index < digits.endIndex {
            let next = digits.index(index, offsetBy: 2)
            guard let byte = UInt8(digits[index..<next], radix: 16) else { return nil }
            bytes.append(byte)
            index = next
        }
        self.init(bytes: bytes)
    }

    var hexString: String {
        readableBytesView.map { ($0 < 16 ? "0" : "") + String($0, radix: 16) }.joined()
    }
}

/// A valid encoding altered in place, for building malformed inputs from good ones.
struct Corruption {
    var bytes: ByteBuffer

    init(_ message: OpenFlowMessage) { bytes = message.encoded() }
    init(_ name: String) { bytes = (SampleMessages.all.first { $0.0 == name }?.1 ?? OpenFlowMessage(xid: 0, .hello(Hello()))).encoded() }

    func setting<T: FixedWidthInteger>(_ value: T, at offset: Int) -> Corruption {
        var copy = self
        copy.bytes.setInteger(value, at: copy.bytes.readerIndex + offset)
        return copy
    }

    /// Sets the header's length field to the buffer's actual size.
    func fixingLength() -> Corruption {
        setting(UInt16(bytes.readableBytes), at: 2)
    }

    func appending(_ extra: [UInt8]) -> Corruption {
        var copy = self
        copy.bytes.writeBytes(extra)
        return copy
    }

    func truncated(to length: Int) -> Corruption {
        var copy = self
        copy.bytes = copy.bytes.getSlice(at: copy.bytes.readerIndex, length: length) ?? ByteBuffer()
        return copy
    }
}
