import ArgumentParser
import ConfigurationFiles
import ControlPlane
import Foundation
import Logging
import Runtime
import ServiceLifecycle

/// `echelon run`: starts a unit and keeps it running until SIGINT or SIGTERM.
struct RunCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Run a unit.",
        discussion: """
            Without --config, runs one unit with forwarding on, accepting switches on 0.0.0.0:6633 and \
            admin requests on 127.0.0.1:8644, with no unit channels (they need units.tls, or units.plaintext \
            for a lab).
            """
    )

    @Option(help: "The unit's configuration file (unit.json).")
    var config: String?

    @Option(help: "Override the switch listen address (host:port).")
    var listen: String?

    @Option(help: "trace, debug, info, notice, warning, error or critical.")
    var logLevel: Logger.Level = .info

    @Option(help: "text (one readable line each) or json (one JSON object each, for machines).")
    var logFormat: LogFormat = .text

    enum LogFormat: String, ExpressibleByArgument, CaseIterable { case text, json }

    func run() async throws {
        let (level, format) = (logLevel, logFormat)
        LoggingSystem.bootstrap { label in
            switch format {
            case .text:
                var handler = StreamLogHandler.standardError(label: label)
                handler.logLevel = level
                return handler
            case .json:
                return JSONLogHandler(label: label, logLevel: level)
            }
        }
        var logger = Logger(label: "echelon")
        do {
            var configuration =
                try config.map { path throws(ConfigurationError) in try UnitConfiguration.load(path: path) }
                ?? .standard
            // Every line says which unit wrote it: several units' logs are often read together.
            // ("unit" on a channel's lines is the unit at its other end.)
            logger[metadataKey: "self"] = "\(configuration.name)"
            if let listen {
                guard let address = SocketAddressSpec(listen) else {
                    throw ValidationError("--listen: expected host:port, got \(listen)")
                }
                configuration.switches.listen = address
            }
            let blueprints = try ServiceCatalog.blueprints(
                for: &configuration, file: config ?? "(default configuration)")
            let unitLogger = logger
            let unit = UnitRuntime(configuration: configuration, logger: unitLogger, metrics: UnitMetrics.bootstrap()) {
                blueprints.map { $0.make(logger: unitLogger) }
            }
            let group = ServiceGroup(
                services: [unit], gracefulShutdownSignals: [.sigterm, .sigint], logger: unitLogger)
            try await group.run()
        } catch let error as ConfigurationError {
            fail("bad configuration: \(error)")
        } catch let error as UnitStartupError {
            fail(error.description)
        }
    }

    private func fail(_ reason: String) -> Never {
        FileHandle.standardError.write(Data("echelon: cannot start: \(reason)\n".utf8))
        Foundation.exit(1)
    }
}

extension Logger.Level: @retroactive ExpressibleByArgument {}
