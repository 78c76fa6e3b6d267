import ArgumentParser
import Foundation
import Runtime

/// `echelon hosts`: the hosts a running unit knows.
struct HostsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "hosts",
        abstract:
            "Print the hosts a running unit knows: its own domain's, or at a tier with the resolver, every domain's.",
        discussion:
            "One row per host: MAC, IPv4 address, the domain (tier-1 unit) it attaches in, the port (DPID:port), seconds since it was last seen, and whether it is there now (the resolver keeps where a departed host was)."
    )

    @OptionGroup var options: UnitAddressOptions

    func run() async throws {
        try await options.show("hosts", as: [HostView].self, render: Self.render)
    }

    static func render(_ hosts: [HostView]) -> String {
        guard !hosts.isEmpty else { return "no hosts" }
        return TextTable.render(
            header: ["HOST", "IPV4", "DOMAIN", "PORT", "LAST SEEN", "PRESENT"],
            rows: hosts.map {
                [
                    $0.mac, $0.ipv4 ?? "-", "u\($0.domain)", $0.port, String(format: "%.1fs ago", $0.lastSeen),
                    $0.present ? "yes" : "no (departed)",
                ]
            })
    }
}
