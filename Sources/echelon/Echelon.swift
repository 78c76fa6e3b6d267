import ArgumentParser

@main
struct Echelon: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "echelon",
        abstract: "A hierarchical multi-controller control plane for OpenFlow 1.0 networks.",
        subcommands: [
            RunCommand.self, DecodeCommand.self, RoutesCommand.self, UnitsCommand.self, FiltersCommand.self,
            PendingCommand.self, CountersCommand.self, TopologyCommand.self, HostsCommand.self, TopologizeCommand.self,
            GraphCommand.self, SwitchesCommand.self, FlowsCommand.self, CertsCommand.self,
        ]
    )
}
