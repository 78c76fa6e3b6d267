import NIOCore
import OpenFlow

/// A valid encoding altered in place, for building malformed inputs from good ones.
struct Corruption {
    var bytes: ByteBuffer

    init(_ message: OpenFlowMessage) { bytes = message.encoded() }
    init(_ name: String) {
        bytes = (SampleMessages.all.first { $0.0 == name }?.1 ?? OpenFlowMessage(xid: 0, .hello(Hello()))).encoded()
    }

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
