import ArgumentParser
import Foundation
import Runtime

/// `echelon switches`: the switches connected to a running unit, with their ports.
struct SwitchesCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "switches",
        abstract: "Print the switches connected to a running unit, with their ports.")

    @OptionGroup var options: UnitAddressOptions

    func run() async throws {
        try await options.show("switches", as: SwitchView.self, empty: "no switches") { Self.render($0) }
    }

    static func render(_ switches: [SwitchView]) -> String {
        switches.map { view in
            "switch \(view.dpid): \(view.ports.count) ports, \(view.tables) tables, \(view.buffers) buffers\n"
                + TextTable.render(
                    header: ["PORT", "NAME", "MAC", "LINK", "ADMIN"],
                    rows: view.ports.map {
                        [
                            String($0.number), $0.name, $0.mac, $0.linkUp ? "up" : "down",
                            $0.enabled ? "enabled" : "down",
                        ]
                    })
        }.joined(separator: "\n\n")
    }
}
