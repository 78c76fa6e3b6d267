import ArgumentParser
import ConfigurationFiles
import ControlPlane
import Foundation
import Runtime

/// `echelon topologize`: a whole control plane from one description (`topologies/*/control-plane.json`).
struct TopologizeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "topologize",
        abstract: "Bring up, inspect and stop a whole control plane from one description.",
        subcommands: [Check.self, Render.self, Up.self, Status.self, Logs.self, Down.self, MininetPlanCommand.self]
    )

    struct Options: ParsableArguments {
        @Argument(help: "The control plane's description (e.g. topologies/two-domains/control-plane.json).")
        var description: String

        @Option(help: "Where the derived unit files, logs and PID files go (default: .echelon/NAME).")
        var state: String?

        func processes() throws -> ControlPlaneProcesses {
            ControlPlaneProcesses(
                description: try TopologizeCommand.load(description), descriptionFile: description, state: state)
        }
    }

    /// Reads a description, its problem said in one line.
    static func load(_ file: String) throws -> ControlPlaneDescription {
        do {
            return try ControlPlaneDescription.load(path: file)
        } catch {
            throw TopologizeError("bad description: \(error)")
        }
    }

    struct Check: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Check a description and every unit file it gives, and say what is wrong.")
        @OptionGroup var options: Options

        func run() async throws {
            let processes = try options.processes()
            let temporary = FileManager.default.temporaryDirectory.appendingPathComponent("echelon-check-\(getpid())")
            defer { try? FileManager.default.removeItem(at: temporary) }
            _ = try rendering(processes, into: temporary, certificates: false)
            let description = processes.description
            func count(_ number: Int, _ noun: String) -> String { "\(number) \(noun)\(number == 1 ? "" : "s")" }
            print(
                "\(options.description): \(count(description.units.count, "unit")), \(count(description.domains.count, "domain")): the description and every unit file are valid"
            )
        }
    }

    struct MininetPlanCommand: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "mininet-plan",
            abstract:
                "Print, as JSON, the Mininet network of a description: each domain's switches on its own tier-1 unit, the links, a host per switch (`Scripts/topologize mininet` runs it)."
        )
        @OptionGroup var options: Options

        func run() async throws {
            let description = try TopologizeCommand.load(options.description)
            let plan = description.mininetPlan
            guard !plan.switches.isEmpty else {
                throw TopologizeError(
                    "\(options.description): no domain lists any switches (\"domains\": [{\"switches\": [1, 2]}])")
            }
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
            print(String(decoding: try encoder.encode(plan), as: UTF8.self))
        }
    }

    struct Render: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Write each unit's file (NAME.json) as the description gives it.")
        @OptionGroup var options: Options
        @Option(help: "The folder to write them in (default: the description's own folder).")
        var to: String?

        func run() async throws {
            let processes = try options.processes()
            let folder = URL(
                fileURLWithPath: to ?? URL(fileURLWithPath: options.description).deletingLastPathComponent().path)
            let (files, certificates) = try rendering(processes, into: folder)
            for url in files { print("wrote \(url.path)") }
            for path in certificates { print("created \(path)") }
        }
    }

    struct Up: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Start every unit, and wait until every channel is established and every route table complete.")
        @OptionGroup var options: Options
        @Option(help: "Seconds to wait before saying what is stuck and giving up.")
        var timeout: Double = 30
        @Option(help: "The echelon executable the units run (default: this one).")
        var echelon: String?

        func run() async throws {
            let processes = try options.processes()
            _ = try rendering(processes)
            let executable = echelon ?? Self.ownExecutable()
            for unit in processes.description.units {
                if let pid = processes.runningPID(of: unit.name) {
                    print("\(unit.name): already running (PID \(pid))")
                } else {
                    let pid = try processes.start(unit.name, executable: executable)
                    print("\(unit.name): started (PID \(pid)), log \(processes.log(of: unit.name).path)")
                }
            }
            let progress = ControlPlaneProgress(processes: processes)
            let started = Date()
            var last: [ControlPlaneProgress.UnitState] = []
            while true {
                let states = await progress.states()
                if states != last {
                    for state in states where !last.contains(state) {
                        print(
                            "  \(state.name): channels \(state.channels), routes \(state.routes): \(state.stuck ?? "up")"
                        )
                    }
                    last = states
                }
                let elapsed = Date().timeIntervalSince(started)
                if states.allSatisfy({ $0.stuck == nil }) {
                    print(
                        "\(processes.description.name): all \(states.count) units up in \(String(format: "%.1f", elapsed)) s; `echelon topologize down \(options.description)` stops them"
                    )
                    print("web page: \(processes.description.webPage)")
                    return
                }
                if elapsed > timeout {
                    print(ControlPlaneProgress.table(states))
                    let stuck = states.filter { $0.stuck != nil }.map { "\($0.name): \($0.stuck ?? "")" }
                    throw TopologizeError(
                        "not up after \(Int(timeout)) s: " + stuck.joined(separator: "; ")
                            + " (logs in \(processes.state.path))")
                }
                try await Task.sleep(for: .milliseconds(200))
            }
        }

        static func ownExecutable() -> String {
            (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
        }
    }

    struct Status: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Show each unit's process, channels and routes; exit non-zero unless all are up.")
        @OptionGroup var options: Options

        func run() async throws {
            let processes = try options.processes()
            let states = await ControlPlaneProgress(processes: processes).states()
            print(ControlPlaneProgress.table(states))
            print("web page: \(processes.description.webPage)")
            if states.contains(where: { $0.stuck != nil }) { throw ExitCode(1) }
        }
    }

    struct Logs: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Show the end of each unit's log.")
        @OptionGroup var options: Options
        @Option(help: "Only this unit.")
        var unit: String?
        @Option(help: "Lines per unit.")
        var lines: Int = 20

        func run() async throws {
            let processes = try options.processes()
            let names = processes.description.units.map(\.name).filter { unit == nil || $0 == unit }
            guard !names.isEmpty else { throw TopologizeError("no unit is named \(unit ?? "")") }
            for name in names {
                print("== \(name): \(processes.log(of: name).path)")
                print(processes.logTail(of: name, lines: lines).joined(separator: "\n"))
            }
        }
    }

    struct Down: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Stop exactly the units `up` started (by their PID files), and nothing else.")
        @OptionGroup var options: Options

        func run() async throws {
            let processes = try options.processes()
            for unit in processes.description.units.reversed() {
                print("\(unit.name): \(processes.stop(unit.name) ? "stopped" : "was not running")")
            }
        }
    }
}

/// Renders into `folder` (the state folder by default), then checks each unit file as `echelon
/// run` will (its services too); a problem is one line, at its unit in the description.
private func rendering(
    _ processes: ControlPlaneProcesses, into folder: URL? = nil, certificates: Bool = true
) throws -> (files: [URL], certificates: [String]) {
    do {
        let (files, certificates) = try processes.render(into: folder, certificates: certificates)
        for (index, file) in files.enumerated() {
            var configuration = try UnitConfiguration.load(path: file.path)
            do {
                _ = try ServiceCatalog.blueprints(for: &configuration, file: file.path)
            } catch {
                throw ConfigurationError(
                    file: processes.descriptionFile, path: "$.units[\(index)] (its unit file: \(error.path))",
                    problem: error.problem)
            }
        }
        return (files, certificates)
    } catch let error as ConfigurationError {
        throw TopologizeError("bad description: \(error)")
    } catch let error as CertificateFolderError {
        throw TopologizeError("certificates: \(error)")
    }
}

struct TopologizeError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
