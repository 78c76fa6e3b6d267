/// One line per message, in the spirit of `ovs-ofctl ofp-print`, then one line per entry.
extension UnitMessage: CustomStringConvertible {
    public var description: String {
        switch self {
        case .exportsRequest(let request):
            return "\(type): from \(request.unit)"
        case .exportsReply(let exports), .exportsUpdate(let exports):
            return (["\(type): from \(exports.unit), \(exports.services.count) services\(exports.more ? " (more follows)" : "")"]
                + exports.services.map { " \($0)" }).joined(separator: "\n")
        case .routeAdvertisement(let advertisement):
            return (["\(type): \(advertisement.routes.count) routes"] + advertisement.routes.map { " \($0)" }).joined(separator: "\n")
        case .routeWithdrawal(let withdrawal):
            return "\(type): \(withdrawal.sids.count) services: " + withdrawal.sids.map(\.description).joined(separator: ",")
        }
    }
}

extension UnitIdentity: CustomStringConvertible {
    public var description: String { "\(uid) \"\(name)\" tier \(tier)" }
}

extension ExportedService: CustomStringConvertible {
    public var description: String {
        var fields = [
            "\(sid) \"\(name)\"", "origin=\(origin)", "action=\(action)", "priority=\(priority)",
            "timeout=\(timeoutMilliseconds)ms,\(timeoutPolicy)",
            "events=" + (subscriptions.isEmpty ? "none" : subscriptions.sorted { $0.index < $1.index }.map(\.rawValue).joined(separator: ",")),
        ]
        fields += rules.map { "rule=\"\($0)\"" }
        return fields.joined(separator: " ")
    }
}

extension RouteEntry: CustomStringConvertible {
    public var description: String {
        "\(sid) origin=\(origin) hops=" + (hops >= RouteEntry.infinity ? "infinity" : "\(hops)")
    }
}
