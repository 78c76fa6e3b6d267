import NIOCore

// Messages that carry raw bytes encode them as hex.

extension Hello: Encodable {
    enum CodingKeys: String, CodingKey { case elements }
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(HexBytes(elements), forKey: .elements)
    }
}

private enum PayloadCodingKeys: String, CodingKey { case payload }

extension EchoBody {
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: PayloadCodingKeys.self)
        try container.encode(HexBytes(payload), forKey: .payload)
    }
}

extension VendorMessage: Encodable {
    enum CodingKeys: String, CodingKey { case vendor, payload }
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(vendor, forKey: .vendor)
        try container.encode(HexBytes(payload), forKey: .payload)
    }
}

extension ErrorMessage: Encodable {
    enum CodingKeys: String, CodingKey { case type, code, codeName, data }
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(type, forKey: .type)
        try container.encode(code, forKey: .code)
        try container.encode(codeName, forKey: .codeName)
        try container.encode(HexBytes(data), forKey: .data)
    }
}

extension PacketIn: Encodable {
    enum CodingKeys: String, CodingKey { case bufferID, totalLength, inPort, reason, data }
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(bufferID, forKey: .bufferID)
        try container.encode(totalLength, forKey: .totalLength)
        try container.encode(inPort, forKey: .inPort)
        try container.encode(reason, forKey: .reason)
        try container.encode(HexBytes(data), forKey: .data)
    }
}

extension PacketOut: Encodable {
    enum CodingKeys: String, CodingKey { case bufferID, inPort, actions, data }
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(bufferID, forKey: .bufferID)
        try container.encode(inPort, forKey: .inPort)
        try container.encode(actions, forKey: .actions)
        try container.encode(HexBytes(data), forKey: .data)
    }
}
