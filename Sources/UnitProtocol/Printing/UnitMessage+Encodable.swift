import OpenFlow

/// The JSON form `echelon decode --json` prints: the subtype's name, then the body's fields.
extension UnitMessage: Encodable {
    enum CodingKeys: String, CodingKey {
        case type, unit, services, more, routes, sids, transaction, sid, domain, category, deadline, dpid, message,
            device, link,
            verdict, messages, bypass, context, withdrawn
    }

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
        case .event(let event):
            try container.encode(event.transaction, forKey: .transaction)
            try container.encode(event.sid, forKey: .sid)
            try container.encode(event.domain, forKey: .domain)
            try container.encode(event.category, forKey: .category)
            try container.encode(event.deadline, forKey: .deadline)
            try container.encode(event.datapathID.description, forKey: .dpid)
            switch event.payload {
            case .none: break
            case .message(let message): try container.encode(message, forKey: .message)
            case .device(let device): try container.encode(device.description, forKey: .device)
            case .link(let link): try container.encode(link.description, forKey: .link)
            }
        case .eventReturn(let answer):
            try container.encode(answer.transaction, forKey: .transaction)
            try container.encode(answer.sid, forKey: .sid)
            try container.encode(answer.verdict.description, forKey: .verdict)
            try container.encode(ReturnedMessageJSON.list(answer.messages), forKey: .messages)
            try container.encode(answer.bypass.map(\.description), forKey: .bypass)
            try container.encode(answer.context, forKey: .context)
        case .command(let command):
            try container.encode(command.sid, forKey: .sid)
            try container.encode(command.domain, forKey: .domain)
            try container.encode(ReturnedMessageJSON.list(command.messages), forKey: .messages)
            try container.encode(command.withdrawn.map(\.description), forKey: .withdrawn)
        }
    }
}

extension ExportedService: Encodable {
    enum CodingKeys: String, CodingKey {
        case sid, origin, name, priority, action, timeoutPolicy, subscriptions, timeoutMilliseconds, rules
    }

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

private struct ReturnedMessageJSON: Encodable {
    var dpid: String
    var message: OpenFlowMessage

    static func list(_ messages: EventReturn.SwitchMessageList) throws -> [ReturnedMessageJSON] {
        try messages.map { ReturnedMessageJSON(dpid: $0.datapathID.description, message: try $0.message) }
    }
}
