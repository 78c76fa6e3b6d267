import NIOCore

/// OFPT_HELLO. OpenFlow 1.0 defines no body, but later versions append elements (such as a
/// version bitmap); they are kept as bytes so that a peer's HELLO can be inspected during
/// version negotiation. The version the peer announced is `OpenFlowMessage.version`.
public struct Hello: OpenFlowMessageBody {
    public static let messageType = MessageType.hello

    public var elements: ByteBuffer

    public init(elements: ByteBuffer = ByteBuffer()) {
        self.elements = elements
    }

    public init(parsing reader: inout WireReader) throws(WireError) {
        self.init(elements: reader.readRest())
    }

    public func write(to buffer: inout ByteBuffer) {
        buffer.writeImmutableBuffer(elements)
    }
}

extension Hello {
    /// `OFPHET_VERSIONBITMAP`, the only hello element defined (OpenFlow 1.3.1 and later).
    static let versionBitmapElement: UInt16 = 1

    /// The versions a peer lists in a version-bitmap element, or nil when it sent none (or
    /// the elements do not parse, in which case its header version is all we know).
    public var versionBitmap: Set<UInt8>? {
        var reader = WireReader(elements, messageOffset: OpenFlowHeader.size)
        while reader.remaining >= 4 {
            guard let type = try? reader.readInteger(as: UInt16.self, field: "ofp_hello_elem_header.type"),
                let length = try? reader.readInteger(as: UInt16.self, field: "ofp_hello_elem_header.length"),
                length >= 4, var body = try? reader.readReader(length: Int(length) - 4, field: "ofp_hello_elem")
            else { return nil }
            // Elements are padded to a multiple of 8 bytes.
            try? reader.skip((8 - Int(length) % 8) % 8, field: "ofp_hello_elem.pad")
            guard type == Self.versionBitmapElement else { continue }
            var versions = Set<UInt8>()
            var base = 0
            while let word = try? body.readInteger(as: UInt32.self, field: "ofp_hello_elem_versionbitmap.bitmaps") {
                for bit in 0..<32 where word & 1 << UInt32(bit) != 0 && base + bit <= Int(UInt8.max) {
                    versions.insert(UInt8(base + bit))
                }
                base += 32
            }
            return versions
        }
        return nil
    }
}
