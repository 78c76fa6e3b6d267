/// The JSON form `echelon decode --json` prints: the subtype's name, then the body's fields.
extension UnitMessage: Encodable {
    enum CodingKeys: String, CodingKey { case type, unit, services, more, routes, sids }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(type.description, forKey: .type)
        switch self {
        case .exportsRequest(let request):
            try container.encode(request.unit, forKey: .unit)
        case .exportsReply(let exports), .exportsUpdate(let exports):
            try container.encode(exports.unit, forKey: .unit)
            try container.encode(exports.services, forKey: .services)
            try container.encode(exports.more, forKey: .more)
        case .routeAdvertisement(let advertisement):
            try container.encode(advertisement.routes, forKey: .routes)
        case .routeWithdrawal(let withdrawal):
            try container.encode(withdrawal.sids, forKey: .sids)
        }
    }
}

extension ExportedService: Encodable {
    enum CodingKeys: String, CodingKey { case sid, origin, name, priority, action, timeoutPolicy, subscriptions, timeoutMilliseconds, rules }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(sid, forKey: .sid)
        try container.encode(origin, forKey: .origin)
        try container.encode(name, forKey: .name)
        try container.encode(priority, forKey: .priority)
        try container.encode(action.description, forKey: .action)
        try container.encode(timeoutPolicy.description, forKey: .timeoutPolicy)
        // In category order, so the output is stable.
        try container.encode(subscriptions.sorted { $0.index < $1.index }, forKey: .subscriptions)
        try container.encode(timeoutMilliseconds, forKey: .timeoutMilliseconds)
        try container.encode(rules, forKey: .rules)
    }
}


