import ArgumentParser
import ControlPlane
import Foundation
import Runtime

/// `echelon graph`: the control plane as Graphviz DOT (or SVG, through Graphviz's `dot`).
struct GraphCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "graph",
        abstract: "Draw a running control plane: units by tier, their channels and services, each domain's switches.",
        discussion:
            "Reads the description for what should be, and each unit's admin API for what is: a unit that does not answer is drawn dashed in red, a channel that is not established dashed in red with its state. Prints DOT; with --svg, writes an SVG through Graphviz's dot (Debian: graphviz)."
    )

    @Argument(help: "The control plane's description (e.g. topologies/two-domains/control-plane.json).")
    var description: String

    @Option(help: "Write an SVG picture to this file instead of printing DOT.")
    var svg: String?

    func run() async throws {
        let dot = await ControlPlaneGraph.read(try TopologizeCommand.load(description)).dot
        guard let svg else {
            print(dot, terminator: "")
            return
        }
        guard let graphviz = ["/usr/bin/dot", "/usr/local/bin/dot"].first(where: FileManager.default.isExecutableFile)
        else {
            throw TopologizeError(
                "--svg needs Graphviz's dot (Debian: apt-get install graphviz); without --svg, DOT is printed")
        }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: graphviz)
        process.arguments = ["-Tsvg", "-o", svg]
        let input = Pipe()
        process.standardInput = input
        try process.run()
        input.fileHandleForWriting.write(Data(dot.utf8))
        try input.fileHandleForWriting.close()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw TopologizeError("dot could not draw the graph (exit \(process.terminationStatus))")
        }
        print("wrote \(svg)")
    }
}
