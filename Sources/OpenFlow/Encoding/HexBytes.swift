import NIOCore

/// Raw bytes rendered as lowercase hex in structured (JSON) output.
struct HexBytes: Encodable {
    let buffer: ByteBuffer
    init(_ buffer: ByteBuffer) { self.buffer = buffer }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(buffer.hexDump(format: .compact))
    }
}

/// Values that are written as their textual form in structured output.
extension MACAddress: Encodable {
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }
}

extension IPv4Address: Encodable {
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }
}

extension DatapathID: Encodable {
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }
}

// Numbers, flags and codes are written as their raw wire values.
extension PortNumber: Encodable {}
extension BufferID: Encodable {}
extension MessageType: Encodable {}
extension ActionType: Encodable {}
extension ErrorType: Encodable {}
extension StatsType: Encodable {}
extension StatsFlags: Encodable {}
extension Match.Wildcards: Encodable {}
extension PortConfig: Encodable {}
extension PortState: Encodable {}
extension PortFeatures: Encodable {}
extension FeaturesReply.Capabilities: Encodable {}
extension FeaturesReply.SupportedActions: Encodable {}
extension SwitchConfig.ConfigFlags: Encodable {}
extension PacketIn.Reason: Encodable {}
extension FlowRemoved.Reason: Encodable {}
extension PortStatus.Reason: Encodable {}
extension FlowMod.Command: Encodable {}
extension FlowMod.Flags: Encodable {}
