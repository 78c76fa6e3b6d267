import ArgumentParser
import Foundation
import Runtime

/// `echelon routes`: the control-plane route table of a running unit.
struct RoutesCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "routes",
        abstract: "Print a running unit's control-plane route table.",
        discussion:
            "One row per service the unit can reach: its SID and name, the neighbour its events go to (local when the unit hosts it), the hop count, how that neighbour relates to the unit, and how long the route has been as it is."
    )

    @OptionGroup var options: UnitAddressOptions

    func run() async throws {
        try await options.show("routes", as: RouteView.self, empty: "no routes") { routes in
            TextTable.render(
                header: ["SID", "SERVICE", "NEXT HOP", "HOPS", "RELATION", "AGE"],
                rows: routes.map { route in
                    [
                        String(route.sid), route.service ?? "?", route.nextHop.map { "u\($0)" } ?? "local",
                        String(route.hops), route.relation, String(format: "%.1fs", route.age),
                    ]
                })
        }
    }
}

/// `echelon units`: a running unit's adjacencies.
struct UnitsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "units",
        abstract: "Print a running unit's unit channels, and the neighbours it is still dialing.")

    @OptionGroup var options: UnitAddressOptions

    func run() async throws {
        try await options.show("units", as: UnitView.self, empty: "no unit channels") { units in
            TextTable.render(
                header: ["UID", "NAME", "TIER", "RELATION", "STATE"],
                rows: units.map { unit in
                    [
                        unit.uid.map { "u\($0)" } ?? "-", unit.name, unit.tier.map(String.init) ?? "-", unit.relation,
                        unit.state + (unit.address.map { " (\($0))" } ?? ""),
                    ]
                })
        }
    }
}

enum JSONOutput {
    static func encode(_ value: some Encodable) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        return String(decoding: try encoder.encode(value), as: UTF8.self)
    }
}
