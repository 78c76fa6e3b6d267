import ConfigurationFiles
import Hummingbird
import HummingbirdCore
import Logging
import NIOCore

/// The bounds on the admin API's connections. The admin server shares the unit's event loop
/// and its process's descriptors with the switches and the unit channels, so connections that
/// idle, drip a request or send a huge one must not be able to pile up. Hummingbird sets most
/// of them: the cap on open connections (`AdminConnectionCount`), the idle timeout, and the
/// longest request head; `AdminConnectionGuard` adds the rest.
struct AdminConnectionLimits: Sendable {
    /// Seconds a connection may send nothing (a request head must arrive within it, since
    /// only a whole head counts as activity), and that a request has to be answered.
    var idleTimeout: TimeAmount
    /// The longest request line and the longest set of header fields: an admin request is a
    /// line and a few headers. A longer one is answered 400 and its connection closed.
    var maximumHeadLength = 16 * 1024
    /// Header fields per request.
    var maximumHeaderFields = 100
    var guardBounds: AdminConnectionGuard.Bounds

    init(settings: AdminSettings) {
        idleTimeout = .duration(seconds: settings.idleTimeout)
        guardBounds = AdminConnectionGuard.Bounds(requestTimeout: idleTimeout)
    }

    /// Hummingbird's HTTP/1 server with these bounds; over TLS, with client certificates,
    /// when `tls` is given.
    func server(logger: Logger, tls: AdminTLSGate?) -> HTTPServerBuilder {
        let configuration = HTTP1Channel.Configuration(
            idleTimeout: idleTimeout,
            httpDecoderConfiguration: .init(
                maxHeaderFieldSize: maximumHeadLength, maxHeaderListSize: maximumHeadLength,
                maxHeaderFieldCount: maximumHeaderFields))
        let bounds = guardBounds
        return HTTPServerBuilder { responder in
            AdminChannel(
                http: HTTP1Channel(responder: responder, configuration: configuration), bounds: bounds, tls: tls)
        }
    }
}

/// Hummingbird's HTTP/1 child channel with an `AdminConnectionGuard` in front of its decoder,
/// and in front of that the TLS handlers when the API speaks HTTPS (so the guard bounds the
/// decrypted requests, as it does plain ones).
struct AdminChannel: ServerChildChannel {
    let http: HTTP1Channel
    let bounds: AdminConnectionGuard.Bounds
    let tls: AdminTLSGate?

    func setup(channel: any Channel, logger: Logger) -> EventLoopFuture<HTTP1Channel.Value> {
        do {
            if let tls { try channel.pipeline.syncOperations.addHandlers(tls.handlers(logger: logger)) }
            try channel.pipeline.syncOperations.addHandler(AdminConnectionGuard(bounds: bounds, logger: logger))
        } catch {
            return channel.eventLoop.makeFailedFuture(error)
        }
        return http.setup(channel: channel, logger: logger)
    }

    func handle(value: HTTP1Channel.Value, logger: Logger) async {
        await http.handle(value: value, logger: logger)
    }
}

/// Hummingbird's cap on open admin connections (`MaximumAvailableConnections`), with a log line
/// when it is reached. At the cap the server stops accepting: further connections wait in the
/// kernel's listen queue, holding none of the unit's descriptors, and are served as others close.
struct AdminConnectionCount: AvailableConnectionsDelegate {
    let maximum: Int
    let logger: Logger
    private(set) var open = 0
    /// One line per second at most, however often the cap is reached.
    private var fullLog = RejectionLog()

    init(maximum: Int, logger: Logger) {
        self.maximum = maximum
        self.logger = logger
    }

    mutating func connectionOpened() {
        open += 1
        guard open >= maximum, let suppressed = fullLog.shouldLog("full", now: .now()) else { return }
        logger.warning(
            "admin API: \(open) connections open, its limit (admin.maxConnections); new ones wait until one closes",
            metadata: suppressed > 0 ? ["reachedSinceLastLine": "\(suppressed)"] : [:])
    }

    mutating func connectionClosed() { open -= 1 }

    func isAcceptingNewConnections() -> Bool { open < maximum }
}

/// The first handler of an admin connection, in front of the HTTP decoder, bounding what
/// Hummingbird does not:
///
/// - **Unanswered input.** Bytes the client sends are counted until an answer is written. More
///   than `maximumUnanswered` (a body, a flood) or a first unanswered byte older than
///   `requestTimeout` (a body dripped byte by byte, which Hummingbird counts as activity) ends
///   the connection.
/// - **Lingering close.** Once the server has closed its side (after `Connection: close`, or
///   after answering a request too large to parse with 400), what the client still sends is
///   read and dropped for a short while, and then the socket is closed in full. Without this a
///   client that never closed left the socket half-open until the idle timeout; closing at once
///   instead, with the rest of its request unread, would reset the connection and could lose
///   the 400 before the client read it.
final class AdminConnectionGuard: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = ByteBuffer
    typealias OutboundIn = IOData
    typealias OutboundOut = IOData

    struct Bounds: Sendable {
        var requestTimeout: TimeAmount
        /// Far more than any admin request (which has no body) needs.
        var maximumUnanswered = 64 * 1024
        /// How long, and how many bytes, the client is read after the server closed its side.
        var lingerTime = TimeAmount.milliseconds(2000)
        var lingerBytes = 1024 * 1024
    }

    private let bounds: Bounds
    private let logger: Logger
    private var unanswered = 0
    private var requestDeadline: Scheduled<Void>?
    /// Set once the connection is on its way out: the full close to come, and what was dropped.
    private var lingering: (close: Scheduled<Void>, dropped: Int)?

    init(bounds: Bounds, logger: Logger) {
        self.bounds = bounds
        self.logger = logger
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let length = unwrapInboundIn(data).readableBytes
        if lingering != nil {
            lingering?.dropped += length
            return
        }
        unanswered += length
        guard unanswered <= bounds.maximumUnanswered else {
            logger.debug("admin connection: more than \(bounds.maximumUnanswered) bytes unanswered; closing")
            // An answer already under way may still go out.
            startLingering(context: context)
            return
        }
        if requestDeadline == nil {
            requestDeadline = context.eventLoop.assumeIsolated().scheduleTask(in: bounds.requestTimeout) {
                self.logger.debug("admin connection: request not answered within \(self.bounds.requestTimeout)")
                context.close(promise: nil)
            }
        }
        context.fireChannelRead(data)
    }

    func channelReadComplete(context: ChannelHandlerContext) {
        guard let lingering else {
            context.fireChannelReadComplete()
            return
        }
        // Whatever reads the HTTP layer still asks for, keep draining the client.
        if lingering.dropped <= bounds.lingerBytes { context.read() }
    }

    func read(context: ChannelHandlerContext) {
        // Past the bound, stop reading a client that keeps sending; the close comes on time.
        if let lingering, lingering.dropped > bounds.lingerBytes { return }
        context.read()
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        unanswered = 0
        requestDeadline?.cancel()
        requestDeadline = nil
        context.write(data, promise: promise)
    }

    func close(context: ChannelHandlerContext, mode: CloseMode, promise: EventLoopPromise<Void>?) {
        context.close(mode: mode, promise: promise)
        if mode == .output { startLingering(context: context) }
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if lingering != nil, case .some(.inputClosed) = event as? ChannelEvent {
            // The client has sent everything and read its answer: nothing is left to wait for.
            context.close(promise: nil)
            return
        }
        context.fireUserInboundEventTriggered(event)
    }

    func channelInactive(context: ChannelHandlerContext) {
        cancelTimers()
        context.fireChannelInactive()
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        cancelTimers()
    }

    private func startLingering(context: ChannelHandlerContext) {
        guard lingering == nil, context.channel.isActive else { return }
        requestDeadline?.cancel()
        requestDeadline = nil
        let close = context.eventLoop.assumeIsolated().scheduleTask(in: bounds.lingerTime) {
            context.close(promise: nil)
        }
        lingering = (close, 0)
        context.read()
    }

    private func cancelTimers() {
        requestDeadline?.cancel()
        requestDeadline = nil
        lingering?.close.cancel()
    }
}
