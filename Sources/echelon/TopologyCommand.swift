import ArgumentParser
import Foundation
import Runtime

/// `echelon topology`: the switches, links and hosts of a running unit's domain.
struct TopologyCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "topology",
        abstract:
            "Print a running unit's view of its domain: switches, the links between them, hosts and domain edges.",
        discussion:
            "Links are those LLDP discovery believes (signed probes only), each once, with whether floods take it (the spanning tree) or not (it would close a loop). Hosts are listed with the port they attach to; domain edges are ports where another unit's switch is at the far end. Ports are written DPID:port."
    )

    @OptionGroup var options: UnitAddressOptions

    func run() async throws {
        try await options.show("topology", as: TopologyView.self, render: Self.render)
    }

    static func render(_ view: TopologyView) -> String {
        var parts = [
            view.switches.isEmpty ? "no switches" : "switches: " + view.switches.joined(separator: ", ")
        ]
        parts.append(
            view.links.isEmpty
                ? "no links"
                : TextTable.render(
                    header: ["LINK", "", "FLOODS"],
                    rows: view.links.map {
                        [
                            $0.a, "<-> " + $0.b,
                            $0.suppressed ? "no (suppressed: it flaps)" : $0.tree ? "yes" : "no (closes a loop)",
                        ]
                    }))
        parts.append(
            view.hosts.isEmpty
                ? "no hosts"
                : TextTable.render(
                    header: ["HOST", "IPV4", "VLAN", "PORT"],
                    rows: view.hosts.map { [$0.mac, $0.ipv4 ?? "-", $0.vlan.map(String.init) ?? "-", $0.port] }))
        if !view.domainEdges.isEmpty {
            parts.append(
                TextTable.render(
                    header: ["DOMAIN EDGE", "UNIT", "FAR END"],
                    rows: view.domainEdges.map { [$0.port, "u\($0.unit)", $0.far] }))
        }
        return parts.joined(separator: "\n\n")
    }
}
