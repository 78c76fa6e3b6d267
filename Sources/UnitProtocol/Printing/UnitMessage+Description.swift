/// One line per message, in the spirit of `ovs-ofctl ofp-print`, then one line per entry.
extension UnitMessage: CustomStringConvertible {
    public var description: String {
        switch self {
        case .exportsRequest(let request):
            return "\(type): from \(request.unit)"
        case .exportsReply(let exports), .exportsUpdate(let exports):
            return
                ([
                    "\(type): from \(exports.unit), \(exports.services.count) services\(exports.more ? " (more follows)" : "")"
                ]
                + exports.services.map { " \($0)" }).joined(separator: "\n")
        case .routeAdvertisement(let advertisement):
            return (["\(type): \(advertisement.routes.count) routes"] + advertisement.routes.map { " \($0)" }).joined(
                separator: "\n")
        case .routeWithdrawal(let withdrawal):
            return "\(type): \(withdrawal.sids.count) services: "
                + withdrawal.sids.map(\.description).joined(separator: ",")
        case .event(let event):
            var lines = [
                "\(type): transaction \(event.transaction) for \(event.sid), \(event.category.rawValue) on \(event.datapathID) in domain \(event.domain)"
                    + (event.deadline == 0 ? ", no deadline" : ", deadline \(event.deadline) ns (sender's clock)")
            ]
            switch event.payload {
            case .none: break
            case .message(let message): lines += message.description.split(separator: "\n").map { " \($0)" }
            case .device(let device): lines.append(" \(device)")
            case .link(let link): lines.append(" \(link)")
            }
            return lines.joined(separator: "\n")
        case .eventReturn(let answer):
            var lines = [
                "\(type): transaction \(answer.transaction) from \(answer.sid), verdict \(answer.verdict), \(answer.messages.count) messages, \(answer.bypass.count) bypass, \(answer.context.count) context"
            ]
            lines += Self.lines(answer.messages)
            lines += answer.bypass.map { " bypass \($0)" }
            lines += answer.context.map { " context \($0.key)=\($0.value)" }
            return lines.joined(separator: "\n")
        case .command(let command):
            var lines = [
                "\(type): from \(command.sid) to domain \(command.domain), \(command.messages.count) messages, \(command.withdrawn.count) withdrawn"
            ]
            lines += Self.lines(command.messages)
            lines += command.withdrawn.map { " withdraw \($0)" }
            return lines.joined(separator: "\n")
        }
    }

    /// One line per message for a switch (indented under its first).
    private static func lines(_ messages: EventReturn.SwitchMessageList) -> [String] {
        messages.flatMap { entry in
            // Checked when it was read, so it decodes; the error is shown should it not.
            let text = (try? entry.message.description) ?? "undecodable message: \(entry.frame.readableBytes) bytes"
            return text.split(separator: "\n").enumerated().map {
                $0.offset == 0 ? " to \(entry.datapathID): \($0.element)" : "  \($0.element)"
            }
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
            "events="
                + (subscriptions.isEmpty
                    ? "none" : subscriptions.sorted { $0.index < $1.index }.map(\.rawValue).joined(separator: ",")),
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

extension DeviceRecord: CustomStringConvertible {
    public var description: String {
        var text = "device \(mac) port \(port)" + (vlan.map { " vlan \($0)" } ?? "") + (ipv4.map { " ip \($0)" } ?? "")
        switch change {
        case nil: break
        case .ipv4(let from): text += " (ip was \(from.map { "\($0)" } ?? "none"))"
        case .vlan(let from): text += " (vlan was \(from.map { "\($0)" } ?? "none"))"
        case .moved(let dpid, let port): text += " (moved from \(dpid):\(port))"
        }
        return text
    }
}

extension LinkRecord: CustomStringConvertible {
    public var description: String {
        "port \(port) <-> \(farDatapathID):\(farPort)" + (farUnit.map { " of \($0)" } ?? "")
            + (suppressed ? " (suppressed: it flaps)" : "")
    }
}
