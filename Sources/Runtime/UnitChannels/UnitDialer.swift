import ConfigurationFiles
import ControlPlane
import Logging
import NIOCore
import NIOPosix
import UnitProtocol

/// Keeps a channel open to one upstream unit or peer from the topology: dials it, and when the
/// attempt fails or the channel closes, dials again after a capped, jittered backoff
/// (`RedialPacing`). Each change of state is logged once at info level, and again only at
/// debug level while it repeats. Lives on the unit's event loop.
final class UnitDialer {
    private let neighbour: NeighbourSpec
    private let relation: ChannelRelation
    private let configuration: UnitChannelConfiguration
    /// Mutual TLS, when the unit's configuration gives it.
    private let tls: UnitTLS?
    private var pacing: RedialPacing
    private let neighbours: NeighbourUnits
    private var logger: Logger
    private var stopped = false
    private var pending: Scheduled<Void>?
    /// The unit at that address, once a channel reached it.
    private var reached: UnitID?
    /// The last reason for dialing again, so that a neighbour that stays down is reported
    /// once at info level, not at every attempt.
    private var lastReason: String?
    /// Channels keep closing soon after they open: each new one is logged at debug level only.
    private var flapping = false

    init(
        neighbour: NeighbourSpec, relation: ChannelRelation, configuration: UnitChannelConfiguration,
        backoff: RedialBackoff, tls: UnitTLS? = nil, neighbours: NeighbourUnits, logger: Logger
    ) {
        self.tls = tls
        self.neighbour = neighbour
        self.relation = relation
        self.configuration = configuration
        self.pacing = RedialPacing(backoff: backoff)
        self.neighbours = neighbours
        var logger = logger
        logger[metadataKey: "neighbour"] = "\(neighbour.name) \(neighbour.address)"
        logger[metadataKey: "relation"] = "\(relation)"
        self.logger = logger
    }

    func start() { dial() }

    private func report(_ state: String) {
        neighbours.dialer(
            neighbour.name, is: .init(address: neighbour.address, relation: relation, state: state, reached: reached))
    }

    func stop() {
        stopped = true
        pending?.cancel()
    }

    private func dial() {
        guard !stopped else { return }
        // The other end of a peer pair may already have dialed us: one channel is enough.
        if let reached, neighbours.hasChannel(to: reached) {
            schedule(after: configuration.echoTimeout, reason: "connected the other way")
            return
        }
        logger.debug("dialing")
        report("connecting")
        let loop = neighbours.eventLoop
        let this = NIOLoopBound(self, eventLoop: loop)
        let handler = NIOLoopBound(
            UnitChannelHandler(
                configuration: configuration, role: .dialer(relation), neighbours: neighbours, logger: logger
            ) {
                reached in
                loop.execute { this.value.closed(reached: reached) }
            }, eventLoop: loop)
        let tls = self.tls
        ClientBootstrap(group: loop)
            .channelOption(.socketOption(.tcp_nodelay), value: 1)
            .connectTimeout(TimeAmount.seconds(Int64(1)))
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    let unitChannel = handler.value
                    if let tls {
                        try channel.pipeline.syncOperations.addHandler(
                            tls.dialingHandler(report: unitChannel.peerVerified))
                    }
                    try channel.pipeline.syncOperations.addHandler(unitChannel)
                }
            }
            .connect(host: neighbour.host, port: neighbour.port)
            .whenComplete { result in
                switch result {
                case .success:
                    this.value.connected()
                case .failure(let error):
                    this.value.failed(error)
                }
            }
    }

    private func connected() {
        if flapping {
            logger.debug("connected")
        } else {
            logger.info("connected")
            lastReason = nil
        }
        report("connected")
        pacing.opened(now: .now())
    }

    private func failed(_ error: any Error) {
        schedule(
            after: pacing.delayAfterFailure(random: Double.random(in: 0..<1)),
            reason: "cannot connect: \(describeConnectionFailure(error))")
    }

    private func closed(reached: UnitID?) {
        if let reached { self.reached = reached }
        let (delay, stayedUp) = pacing.delayAfterClose(now: .now(), random: Double.random(in: 0..<1))
        flapping = !stayedUp
        schedule(after: delay, reason: stayedUp ? "channel closed" : "channel closed soon after it opened")
    }

    private func schedule(after delay: TimeAmount, reason: String) {
        guard !stopped else { return }
        let message: Logger.Message = "\(reason); dialing again in \(delay.nanoseconds / 1_000_000) ms"
        if reason == lastReason { logger.debug(message) } else { logger.info(message) }
        lastReason = reason
        report("retrying: \(reason)")
        let this = NIOLoopBound(self, eventLoop: neighbours.eventLoop)
        pending = neighbours.eventLoop.scheduleTask(in: delay) { this.value.dial() }
    }
}
