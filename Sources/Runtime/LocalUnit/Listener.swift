import ConfigurationFiles
import Logging
import NIOCore
import NIOPosix

/// A TCP server of the unit (switches, units) with one handler per connection, and the one-line
/// reason a start-up error gives when the address cannot be had.
enum Listener {
    /// Binds `address`. At most `handshakeLimit` accepted connections may be in their handshake
    /// at once; one more is closed as soon as it is accepted. Each handler is given the slot its
    /// connection holds, to give back when its handshake finishes (closing gives it back too).
    /// `receiveBuffer` fixes every connection's socket receive buffer (`SO_RCVBUF`).
    /// `makeHandlers` gives a connection's pipeline, first handler first (TLS, then the channel's own).
    static func bind(
        _ address: SocketAddressSpec, for purpose: String, eventLoop: any EventLoop, handshakeLimit: Int,
        receiveBuffer: SocketOptionValue? = nil, logger: Logger,
        handlers makeHandlers: @escaping @Sendable (HandshakeSlot) -> [any ChannelHandler]
    ) async throws -> any Channel {
        let gate = NIOLoopBoundBox.makeBoxSendingValue(
            HandshakeGate(limit: handshakeLimit, purpose: purpose, logger: logger), eventLoop: eventLoop)
        do {
            var bootstrap = ServerBootstrap(group: eventLoop)
            if let receiveBuffer {
                // Set on the listening socket, so that every connection has it from its handshake.
                bootstrap = bootstrap.serverChannelOption(.socketOption(.so_rcvbuf), value: receiveBuffer)
            }
            return
                try await bootstrap
                .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
                .childChannelOption(.socketOption(.tcp_nodelay), value: 1)
                .childChannelInitializer { channel in
                    // Every channel of this server is on `eventLoop`, which owns the gate.
                    guard let slot = gate.value.admit(now: .now()) else {
                        // NIO closes a connection whose initializer fails.
                        return channel.eventLoop.makeFailedFuture(HandshakeLimitReached())
                    }
                    channel.closeFuture.assumeIsolated().whenComplete { _ in slot.release() }
                    return channel.eventLoop.makeCompletedFuture {
                        try channel.pipeline.syncOperations.addHandlers(makeHandlers(slot))
                    }
                }
                .bind(host: address.host, port: address.port)
                .get()
        } catch let error as IOError where error.errnoCode == EADDRINUSE {
            throw UnitStartupError(description: "cannot listen for \(purpose) on \(address): address already in use")
        } catch {
            throw UnitStartupError(description: "cannot listen for \(purpose) on \(address): \(error)")
        }
    }
}

/// Bounds the connections of one listener that are still in their handshake, so that a flood
/// of connections that never finish it costs a bounded number of descriptors and handshake
/// timers and cannot starve the switches or units that do finish. Lives on the listener's loop.
final class HandshakeGate {
    let limit: Int
    private let purpose: String
    private let logger: Logger
    /// Connections accepted whose handshake has neither finished nor ended with the channel.
    private(set) var pending = 0
    /// One line per second at most about refused connections, however many there are.
    private var refusals = RejectionLog()

    init(limit: Int, purpose: String, logger: Logger) {
        self.limit = limit
        self.purpose = purpose
        self.logger = logger
    }

    /// A slot for a newly accepted connection, or nil (and a rate-limited log line) when
    /// `limit` connections are in their handshake already.
    func admit(now: NIODeadline) -> HandshakeSlot? {
        if pending < limit {
            pending += 1
            return HandshakeSlot(gate: self)
        }
        if let suppressed = refusals.shouldLog("full", now: now) {
            logger.warning(
                "closing a new connection for \(purpose): \(limit) connections are still in their handshake",
                metadata: suppressed > 0 ? ["closedSinceLastLine": "\(suppressed)"] : [:])
        }
        return nil
    }

    fileprivate func released() { pending -= 1 }
}

/// One connection's place in its listener's `HandshakeGate`, given back once: when the
/// handshake finishes or the connection closes, whichever comes first.
final class HandshakeSlot {
    private var gate: HandshakeGate?

    fileprivate init(gate: HandshakeGate) { self.gate = gate }

    func release() {
        gate?.released()
        gate = nil
    }
}

/// Why a connection was closed as soon as it was accepted (never shown: NIO closes it quietly).
struct HandshakeLimitReached: Error {}
