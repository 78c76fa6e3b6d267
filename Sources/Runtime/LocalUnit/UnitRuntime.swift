import ConfigurationFiles
import ControlPlane
import Logging
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix
import OpenFlow
import Prometheus
import ServiceLifecycle
import UnitProtocol
import UnixSignals

/// A running unit: the switch server and the unit core on one event loop, as a
/// ServiceLifecycle service that stops gracefully on SIGINT/SIGTERM.
public final class UnitRuntime: ServiceLifecycle.Service, Sendable {
    public let configuration: UnitConfiguration
    private let makeServices: @Sendable () -> [any HostedService]
    private let metrics: UnitMetricsExporter?
    private let logger: Logger
    private let group: MultiThreadedEventLoopGroup
    private let boundAddress: NIOLockedValueBox<SocketAddress?> = NIOLockedValueBox(nil)
    private let unitAddress: NIOLockedValueBox<SocketAddress?> = NIOLockedValueBox(nil)
    private let adminAddress: NIOLockedValueBox<SocketAddress?> = NIOLockedValueBox(nil)

    /// Every switch connection gets the same socket receive buffer. Left to the kernel's
    /// autotuning, connections accepted together were given windows from 170 KB to 3.6 MB;
    /// under a flood the loop reads up to four buffers from each switch in turn, and a switch
    /// with less than that waiting behind its smaller window got half of what the others did,
    /// second after second. Equal buffers, each holding more than one turn's reads, give every
    /// flooding switch the same share; they also bound what a paused switch leaves queued.
    static let switchReceiveBuffer: SocketOptionValue = 512 * 1024

    /// `makeServices` builds the unit's services, one per declaration in `configuration.services`
    /// and in that order; it runs on the unit's event loop, which then owns them.
    /// With `metrics` (from `UnitMetrics.bootstrap()`), the admin API serves `/metrics`.
    public init(
        configuration: UnitConfiguration, logger: Logger, metrics: PrometheusCollectorRegistry? = nil,
        makeServices: @escaping @Sendable () -> [any HostedService]
    ) {
        self.metrics = metrics.map { UnitMetricsExporter(registry: $0, identity: configuration.identity) }
        self.configuration = configuration
        self.makeServices = makeServices
        self.logger = logger
        // One loop carries every switch channel and the core: events stay ordered and the
        // state needs no locks. The second core of a small machine is left to the switches
        // (or the load generator).
        self.group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
    }

    /// The address the switch server is bound to, once it is.
    public var switchAddress: SocketAddress? { boundAddress.withLockedValue { $0 } }

    /// The address the unit-channel server is bound to, once it is.
    public var unitChannelAddress: SocketAddress? { unitAddress.withLockedValue { $0 } }

    public func run() async throws {
        let configuration = self.configuration
        // What the configuration alone can refuse is refused before anything starts.
        let unitTLS: UnitTLS?
        let switchTLS: UnitTLS?
        let adminTLS: AdminTLSGate?
        do {
            if configuration.admin.needsAuthentication, configuration.admin.token == nil, configuration.admin.tls == nil
            {
                throw UnitStartupError(
                    description:
                        "admin.listen is \(configuration.admin.listen), not loopback: the admin API needs admin.token or admin.tokenFile there, or admin.tls for client certificates (any host that reaches it could read this unit and push flows)"
                )
            }
            unitTLS = try configuration.units.tls.map { files throws(UnitStartupError) in
                try UnitTLS(files: files, for: .units)
            }
            switchTLS = try configuration.switches.tls.map { files throws(UnitStartupError) in
                try UnitTLS(files: files, for: .switches)
            }
            adminTLS = try configuration.admin.tls.map { files throws(UnitStartupError) in
                AdminTLSGate(tls: try UnitTLS(files: files, for: .admin))
            }
        } catch {
            try? await group.shutdownGracefully()
            throw error
        }
        let loop = group.next()
        let logger = self.logger
        let makeServices = self.makeServices
        let identity = configuration.identity
        let core = try await loop.submit {
            let services = makeServices()
            // The services with a SID answer events sent up from the units below.
            var serving: [ServiceID: any HostedService] = [:]
            for (declaration, service) in zip(configuration.services, services) {
                if let sid = declaration.sid { serving[ServiceID(sid)] = service }
            }
            return NIOLoopBound(
                UnitCore(
                    services: services, serving: serving,
                    hosts: HostTracker(
                        idleTimeout: .duration(seconds: configuration.hosts.idleTimeout),
                        capacity: configuration.hosts.capacity),
                    links: LinkDiscovery(
                        probeInterval: .duration(seconds: configuration.links.probeInterval),
                        linkTimeout: .duration(seconds: configuration.links.probeInterval * 3 + 1)),
                    identity: identity, dispatch: configuration.dispatch.settings,
                    probeKey: configuration.links.probeKey, eventLoop: loop, logger: logger),
                eventLoop: loop)
        }.get()

        let exported = configuration.services.compactMap { $0.exported(origin: identity.uid) }
        let neighbours = try await loop.submit {
            let neighbours = NeighbourUnits(
                identity: identity, hosted: exported, maximumServices: configuration.units.maximumServices,
                local: core.value, eventLoop: loop, logger: logger)
            core.value.neighbours = neighbours
            return NIOLoopBound(neighbours, eventLoop: loop)
        }.get()
        let channelConfiguration = configuration.units.channel(local: identity)

        let server: any Channel
        var unitServer: (any Channel)?
        do {
            let switches = configuration.switches.connection
            let maximumLength = configuration.switches.maxMessageLength
            server = try await Listener.bind(
                configuration.switches.listen, for: "switches", eventLoop: loop,
                handshakeLimit: configuration.switches.maxPendingHandshakes,
                receiveBuffer: Self.switchReceiveBuffer, logger: logger
            ) { slot in
                let handler = SwitchChannelHandler(
                    configuration: switches, core: core.value, logger: logger, maximumMessageLength: maximumLength)
                handler.onHandshakeComplete = slot.release
                guard let switchTLS else { return [handler] }
                return [switchTLS.switchHandler(report: handler.certificateVerified), handler]
            }
            if configuration.units.enabled {
                unitServer = try await Listener.bind(
                    configuration.units.listen, for: "units", eventLoop: loop,
                    handshakeLimit: configuration.units.maxPendingHandshakes, logger: logger
                ) { slot in
                    let handler = UnitChannelHandler(
                        configuration: channelConfiguration, role: .acceptor, neighbours: neighbours.value,
                        logger: logger)
                    handler.onHandshakeComplete = slot.release
                    guard let unitTLS else { return [handler] }
                    return [unitTLS.acceptingHandler(report: handler.peerVerified), handler]
                }
            }
        } catch {
            try? await group.shutdownGracefully()
            throw error
        }
        boundAddress.withLockedValue { $0 = server.localAddress }
        unitAddress.withLockedValue { $0 = unitServer?.localAddress }
        logger.info(
            "listening for switches on \(server.localAddress.map { "\($0)" } ?? "?")",
            metadata: ["unit": "\(configuration.name)", "security": "\(switchTLS == nil ? "plain TCP" : "TLS")"])
        if let unitServer {
            logger.info(
                "listening for units on \(unitServer.localAddress.map { "\($0)" } ?? "?")",
                metadata: [
                    "uid": "\(identity.uid)", "tier": "\(identity.tier)",
                    "security": "\(unitTLS == nil ? "plain TCP" : "mutual TLS")",
                ])
        } else {
            logger.info(
                "not listening for units: unit channels need units.tls (or, for a lab, units.plaintext)",
                metadata: ["uid": "\(identity.uid)", "tier": "\(identity.tier)"])
        }
        if configuration.units.plaintext {
            logger.warning(
                "units.plaintext: unit channels are plain TCP, so a unit is believed to be whoever it claims (for a lab only; use units.tls)"
            )
        }

        let dialed =
            configuration.units.upstream.map { ($0, ChannelRelation.upstream) }
            + configuration.units.peers.map { ($0, ChannelRelation.peer) }
        let backoff = configuration.units.backoff
        let dialers = try await loop.submit {
            let dialers = dialed.map { neighbour, relation in
                UnitDialer(
                    neighbour: neighbour, relation: relation, configuration: channelConfiguration, backoff: backoff,
                    tls: unitTLS, neighbours: neighbours.value, logger: logger)
            }
            for dialer in dialers { dialer.start() }
            return NIOLoopBound(dialers, eventLoop: loop)
        }.get()

        let ticker = loop.scheduleRepeatedTask(initialDelay: .milliseconds(250), delay: .milliseconds(250)) { _ in
            core.value.tick()
        }
        // Unit channels keep a sub-second keepalive, so that a dead neighbour's routes are
        // withdrawn within a second.
        let unitTicker = loop.scheduleRepeatedTask(initialDelay: .milliseconds(50), delay: .milliseconds(50)) { _ in
            neighbours.value.tick(now: .now())
        }
        // SIGHUP: the services reread what they read (an authenticator's policy file).
        let reloads = Task {
            for await _ in await UnixSignalsSequence(trapping: .sighup) {
                logger.info("SIGHUP: reloading the services")
                loop.execute { core.value.reloadServices() }
            }
        }
        let adminAddress = self.adminAddress
        let admin = AdminServer.application(
            settings: configuration.admin, tls: adminTLS, neighbours: neighbours, core: core, identity: identity,
            metrics: metrics, group: group,
            logger: logger
        ) { address in
            adminAddress.withLockedValue { $0 = address }
            logger.info(
                "admin API on \(adminTLS == nil ? "http" : "https")://\(address.map(AdminServer.urlAuthority) ?? "?")",
                metadata: ["authentication": "\(configuration.admin.authentication)"]
            )
        }
        // The admin server ends with the unit's graceful shutdown; if it cannot start (its port
        // is taken), the unit stops with the reason.
        var adminFailure: (any Error)?
        await withTaskGroup(of: AdminOutcome.self) { tasks in
            tasks.addTask {
                do { try await admin.run() } catch { return .failed(error) }
                return .stopped
            }
            tasks.addTask {
                try? await gracefulShutdown()
                return .shutdownRequested
            }
            if case .failed(let error) = await tasks.next() {
                // The admin server could not start: stop waiting for a signal.
                adminFailure = error
                tasks.cancelAll()
            }
            // Otherwise the shutdown reaches the admin server too, which closes on its own.
            await tasks.waitForAll()
        }
        logger.info("shutting down")
        reloads.cancel()
        ticker.cancel()
        unitTicker.cancel()
        try? await server.close()
        try? await unitServer?.close()
        try? await loop.submit {
            for dialer in dialers.value { dialer.stop() }
            neighbours.value.closeAll()
            core.value.closeAll()
        }.get()
        try await group.shutdownGracefully()
        if let adminFailure {
            throw UnitStartupError(
                description: "cannot serve the admin API on \(configuration.admin.listen): \(adminFailure)")
        }
    }
}

private enum AdminOutcome: Sendable {
    case stopped
    case failed(any Error)
    case shutdownRequested
}

/// Why a unit could not start, in one line.
public struct UnitStartupError: Error, CustomStringConvertible {
    public let description: String
}
