import ConfigurationFiles
import Foundation
import Runtime

/// The control plane as Graphviz DOT, from its description and what each unit's admin API says
/// now: units by tier (a unit that does not answer drawn dashed, in red), the channels between
/// them and their state, the services each hosts, and each domain's switches and the links
/// discovery found between them.
struct ControlPlaneGraph {
    let description: ControlPlaneDescription
    /// What each unit's admin API said; a unit that did not answer is missing.
    let observed: [String: UnitObservation]

    static func read(_ description: ControlPlaneDescription) async -> ControlPlaneGraph {
        var observed: [String: UnitObservation] = [:]
        for unit in description.units {
            observed[unit.name] = await UnitObservation.read(unit, topology: unit.tier == 1)
        }
        return ControlPlaneGraph(description: description, observed: observed)
    }

    var dot: String {
        var lines = ["digraph \(Self.quoted(description.name)) {", "  rankdir=BT;", "  node [fontname=\"Helvetica\"];"]
        for tier in Set(description.units.map(\.tier)).sorted() {
            lines.append("  { rank=same;")
            for unit in description.units where unit.tier == tier { lines.append("    " + node(unit)) }
            lines.append("  }")
        }
        for unit in description.units {
            for name in unit.upstream { lines.append("  " + channel(from: unit.name, to: name, peer: false)) }
            for name in unit.peers where unit.name < name {
                lines.append("  " + channel(from: unit.name, to: name, peer: true))
            }
        }
        for (index, domain) in description.domains.enumerated() { lines += cluster(domain, index: index) }
        lines.append("}")
        return lines.joined(separator: "\n") + "\n"
    }

    private func node(_ unit: ControlPlaneDescription.Unit) -> String {
        var label = "\(unit.name) (u\(unit.uid), tier \(unit.tier))"
        guard let seen = observed[unit.name] else {
            return
                "\(Self.quoted(unit.name)) [shape=box, style=dashed, color=red, label=\(Self.quoted(label + "\\ndown"))];"
        }
        for route in seen.routes where route.relation == "local" {
            label += "\\n\(route.service ?? "service") \(route.sid)"
        }
        return "\(Self.quoted(unit.name)) [shape=box, style=rounded, label=\(Self.quoted(label))];"
    }

    /// A channel as the dialing unit sees it (the far unit's view when the dialer is down).
    private func channel(from dialer: String, to name: String, peer: Bool) -> String {
        let state =
            observed[dialer]?.neighbours.first { $0.name == name }?.state
            ?? observed[name]?.neighbours.first { $0.name == dialer }?.state
            ?? (observed[dialer] == nil ? "\(dialer) down" : "not dialed")
        let up = state == "established"
        var attributes = [
            "label=\(Self.quoted(peer ? "peer: \(state)" : state))", "color=\(up ? "darkgreen" : "red")",
            "style=\(up ? "solid" : "dashed")",
        ]
        if peer { attributes.append("dir=none") }
        return "\(Self.quoted(dialer)) -> \(Self.quoted(name)) [\(attributes.joined(separator: ", "))];"
    }

    private func cluster(_ domain: ControlPlaneDescription.Domain, index: Int) -> [String] {
        let topology = observed[domain.unit]?.topology
        let described = domain.switches.map { String(format: "%016llx", $0) }
        let switches = Array(Set(described + (topology?.switches ?? []))).sorted()
        var lines = ["  subgraph \(Self.quoted("cluster_\(index)")) {", "    label=\(Self.quoted(domain.name));"]
        for dpid in switches {
            let connected = topology?.switches.contains(dpid) ?? false
            lines.append(
                "    \(Self.quoted("s:" + dpid)) [shape=ellipse, label=\(Self.quoted(dpid))\(connected ? "" : ", style=dashed")];"
            )
        }
        for link in topology?.links ?? [] {
            let (a, b) = (Self.switchOf(link.a), Self.switchOf(link.b))
            lines.append("    \(Self.quoted("s:" + a)) -> \(Self.quoted("s:" + b)) [dir=none];")
        }
        lines.append("  }")
        for dpid in switches {
            lines.append("  \(Self.quoted("s:" + dpid)) -> \(Self.quoted(domain.unit)) [style=dotted, arrowhead=none];")
        }
        return lines
    }

    /// The switch of a port written DPID:port.
    static func switchOf(_ port: String) -> String {
        String(port.split(separator: ":").first ?? Substring(port))
    }

    static func quoted(_ text: String) -> String {
        "\""
            + text.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
            .replacingOccurrences(of: "\\\\n", with: "\\n") + "\""
    }
}
