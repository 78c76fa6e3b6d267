// Enums with payloads encode as an object whose "type" names the case, followed by the
// payload's own fields, so that JSON consumers need no knowledge of Swift's enum layout.

private struct TypeKey: CodingKey {
    var stringValue: String
    var intValue: Int? { nil }
    init(stringValue: String) { self.stringValue = stringValue }
    init?(intValue: Int) { nil }
    static let type = TypeKey(stringValue: "type")
}

/// Writes `{"type": name, ...payload's fields}`.
private func encodeTagged(_ name: String, _ payload: (any Encodable)?, to encoder: any Encoder) throws {
    var container = encoder.container(keyedBy: TypeKey.self)
    try container.encode(name, forKey: .type)
    try payload?.encode(to: encoder)
}

extension Action: Encodable {
    private enum CodingKeys: String, CodingKey { case port, maxLength, value, queueID, vendor, body }

    public func encode(to encoder: any Encoder) throws {
        var type = encoder.container(keyedBy: TypeKey.self)
        var container = encoder.container(keyedBy: CodingKeys.self)
        switch self {
        case .output(let port, let maxLength):
            try type.encode("output", forKey: .type)
            try container.encode(port, forKey: .port)
            try container.encode(maxLength, forKey: .maxLength)
        case .setVlanVid(let value):
            try type.encode("set_vlan_vid", forKey: .type)
            try container.encode(value, forKey: .value)
        case .setVlanPcp(let value):
            try type.encode("set_vlan_pcp", forKey: .type)
            try container.encode(value, forKey: .value)
        case .stripVlan: try type.encode("strip_vlan", forKey: .type)
        case .setDlSrc(let value):
            try type.encode("set_dl_src", forKey: .type)
            try container.encode(value, forKey: .value)
        case .setDlDst(let value):
            try type.encode("set_dl_dst", forKey: .type)
            try container.encode(value, forKey: .value)
        case .setNwSrc(let value):
            try type.encode("set_nw_src", forKey: .type)
            try container.encode(value, forKey: .value)
        case .setNwDst(let value):
            try type.encode("set_nw_dst", forKey: .type)
            try container.encode(value, forKey: .value)
        case .setNwTos(let value):
            try type.encode("set_nw_tos", forKey: .type)
            try container.encode(value, forKey: .value)
        case .setTpSrc(let value):
            try type.encode("set_tp_src", forKey: .type)
            try container.encode(value, forKey: .value)
        case .setTpDst(let value):
            try type.encode("set_tp_dst", forKey: .type)
            try container.encode(value, forKey: .value)
        case .enqueue(let port, let queueID):
            try type.encode("enqueue", forKey: .type)
            try container.encode(port, forKey: .port)
            try container.encode(queueID, forKey: .queueID)
        case .vendor(let vendor, let body):
            try type.encode("vendor", forKey: .type)
            try container.encode(vendor, forKey: .vendor)
            try container.encode(HexBytes(body), forKey: .body)
        }
    }
}

extension QueueProperty: Encodable {
    private enum CodingKeys: String, CodingKey { case rate }

    public func encode(to encoder: any Encoder) throws {
        switch self {
        case .none:
            try encodeTagged("none", nil, to: encoder)
        case .minimumRate(let rate):
            try encodeTagged("min_rate", nil, to: encoder)
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(rate, forKey: .rate)
        }
    }
}

extension StatsRequest: Encodable {
    private enum CodingKeys: String, CodingKey { case type, flags, body }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(type.description, forKey: .type)
        try container.encode(flags, forKey: .flags)
        switch body {
        case .description, .table: break
        case .flow(let request), .aggregate(let request): try container.encode(request, forKey: .body)
        case .port(let request): try container.encode(request, forKey: .body)
        case .queue(let request): try container.encode(request, forKey: .body)
        case .vendor(let vendor): try container.encode(vendor, forKey: .body)
        }
    }
}

extension StatsReply: Encodable {
    private enum CodingKeys: String, CodingKey { case type, flags, body }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(type.description, forKey: .type)
        try container.encode(flags, forKey: .flags)
        switch body {
        case .description(let stats): try container.encode(stats, forKey: .body)
        case .flow(let entries): try container.encode(entries, forKey: .body)
        case .aggregate(let stats): try container.encode(stats, forKey: .body)
        case .table(let entries): try container.encode(entries, forKey: .body)
        case .port(let entries): try container.encode(entries, forKey: .body)
        case .queue(let entries): try container.encode(entries, forKey: .body)
        case .vendor(let vendor): try container.encode(vendor, forKey: .body)
        }
    }
}

extension OpenFlowMessage: Encodable {
    private enum CodingKeys: String, CodingKey { case version, type, xid, body }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(version, forKey: .version)
        try container.encode(type.description, forKey: .type)
        try container.encode(xid, forKey: .xid)
        let body: any Encodable =
            switch self.body {
            case .hello(let value): value
            case .error(let value): value
            case .echoRequest(let value): value
            case .echoReply(let value): value
            case .vendor(let value): value
            case .featuresRequest(let value): value
            case .featuresReply(let value): value
            case .getConfigRequest(let value): value
            case .getConfigReply(let value): value
            case .setConfig(let value): value
            case .packetIn(let value): value
            case .flowRemoved(let value): value
            case .portStatus(let value): value
            case .packetOut(let value): value
            case .flowMod(let value): value
            case .portMod(let value): value
            case .statsRequest(let value): value
            case .statsReply(let value): value
            case .barrierRequest(let value): value
            case .barrierReply(let value): value
            case .queueGetConfigRequest(let value): value
            case .queueGetConfigReply(let value): value
            }
        try container.encode(body, forKey: .body)
    }
}
