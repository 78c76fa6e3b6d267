import ArgumentParser
import ControlPlane
import Foundation
import Runtime

/// `echelon filters`: the filter table of a running unit.
struct FiltersCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "filters",
        abstract:
            "Print a running unit's filter table: the services above it, their rules, and what happened to their events.",
        discussion:
            "One row per service whose filter the unit matches its events against: its SID and name, the neighbour its events go to now, its action (ALLOW, SPLIT, DIVERT, DENY) and priority, then its counters: events matched, split, diverted, denied, timed out, bypassed, and returns received. The rules follow, one per line."
    )

    @OptionGroup var options: UnitAddressOptions

    func run() async throws {
        try await options.show(
            "filters", as: FilterView.self, empty: "no filters (no service above this unit is reachable)"
        ) { filters in
            let table = TextTable.render(
                header: [
                    "SID", "SERVICE", "NEXT HOP", "ACTION", "PRIO", "MATCHED", "SPLIT", "DIVERTED", "DENIED",
                    "TIMED OUT", "SHED", "BYPASSED", "RETURNS",
                ],
                rows: filters.map { filter in
                    let counters = filter.counters
                    return [
                        String(filter.sid), filter.service,
                        filter.unreachable == true ? "unreachable" : "u\(filter.nextHop)", filter.action,
                        String(filter.priority),
                    ]
                        + [
                            counters.matched, counters.split, counters.diverted, counters.denied, counters.timedOut,
                            counters.shed, counters.bypassed, counters.returns,
                        ].map(String.init)
                })
            let rules = filters.flatMap { filter in
                filter.rules.enumerated().map { "  \(filter.sid) rule \($0.offset): \($0.element)" }
            }
            return ([table] + rules).joined(separator: "\n")
        }
    }
}

/// `echelon pending`: DIVERTed events waiting for their answers.
struct PendingCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "pending",
        abstract: "Print a running unit's parked contexts: DIVERTed events waiting for the services above to answer.")

    @OptionGroup var options: UnitAddressOptions

    func run() async throws {
        try await options.show("pending", as: PendingView.self, empty: "no parked contexts") { pending in
            TextTable.render(
                header: ["TRANSACTION", "EVENT", "DPID", "SERVICES", "WAITING FOR", "POLICY", "EXPIRES IN"],
                rows: pending.map { entry in
                    [
                        String(entry.transaction), entry.event, entry.dpid,
                        entry.sids.map { "s\($0)" }.joined(separator: ","), String(entry.waitingFor),
                        entry.policy, String(format: "%.2fs", entry.expiresIn),
                    ]
                })
        }
    }
}

/// `echelon counters`: the dispatcher's counters.
struct CountersCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "counters",
        abstract:
            "Print a running unit's dispatch counters, per service (matched, split, diverted, denied, timed out, ...) and in total."
    )

    @OptionGroup var options: UnitAddressOptions

    func run() async throws {
        try await options.show("counters", as: DispatchCountersView.self, render: Self.render)
    }

    static func render(_ view: DispatchCountersView) -> String {
        var lines: [String] = []
        if view.services.isEmpty {
            lines.append("no service has seen an event yet")
        } else {
            lines.append(
                TextTable.render(
                    header: [
                        "SID", "MATCHED", "SPLIT", "DIVERTED", "DENIED", "TIMED OUT", "SHED", "UNREACHABLE",
                        "BYPASSED", "RETURNS", "SERVED", "RELAYED", "EXPIRED",
                    ],
                    rows: view.services.map { service in
                        let c = service.counters
                        return ["s\(service.sid)"]
                            + [
                                c.matched, c.split, c.diverted, c.denied, c.timedOut, c.shed, c.unreachable,
                                c.bypassed, c.returns, c.served, c.relayed, c.expired,
                            ].map(String.init)
                    }))
        }
        let totals = view.totals
        let rejected = totals.rejected.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }
        lines += [
            "",
            "escalated \(totals.escalated), relayed \(totals.relayed), served \(totals.served), returns received \(totals.returnsReceived), forwarded \(totals.returnsForwarded), resumed \(totals.resumed), shed \(totals.shed), expired on arrival \(totals.expired)",
            "parked now \(view.waiting) (ever \(view.parked.parked), resumed \(view.parked.resumed), timed out fail-open \(view.parked.timedOutOpen), fail-closed \(view.parked.timedOutClosed), refused full \(view.parked.refusedFull))",
            "open transactions \(view.openTransactions), switches below \(view.switchesBelow), devices with BYPASS \(view.bypassedDevices), filters rejected \(totals.filtersRejected)",
            "rejected: " + (rejected.isEmpty ? "none" : rejected.joined(separator: ", ")),
        ]
        for service in view.localServices ?? [] {
            let figures = service.statistics.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }
            lines.append("\(service.name): " + figures.joined(separator: ", "))
        }
        return lines.joined(separator: "\n")
    }
}
