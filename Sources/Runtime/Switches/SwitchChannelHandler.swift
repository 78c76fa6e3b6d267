import ControlPlane
import Logging
import NIOCore
import NIOSSL
import OpenFlow
import UnitProtocol
import X509

/// One switch channel: feeds what the switch sends to its `SwitchConnectionStateMachine`,
/// performs the actions that come back, and hands the switch's messages to the unit core.
/// Lives on the unit's event loop, like the core.
///
/// It is the channel's only handler: it splits the byte stream into frames itself and writes
/// every message of a batch into one outbound buffer, so a message costs no pipeline hop, no
/// type-erased wrapper and no buffer of its own (a separate decoder and encoder cost about a
/// third of the unit's time under load).
final class SwitchChannelHandler: ChannelDuplexHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    private var frames: OpenFlowFrameSplitter
    private var outbound = OutboundBatch()
    private var framingFailed = false
    /// The switch's certificate was refused and the line saying why is written (`switches.tls`).
    private var certificateRefused = false
    /// The DPIDs the switch's certificate lets it claim, when it names any (`switches.tls`).
    private var certifiedDatapathIDs: (subject: String, ids: [DatapathID])?
    private var machine: SwitchConnectionStateMachine
    private let core: UnitCore
    private var context: ChannelHandlerContext?
    private(set) var id: ConnectionID?
    /// Where the switch connected from, for the admin API.
    private(set) var remoteAddress: SocketAddress?
    private var logger: Logger
    private var awaitingFlush = false
    /// Messages read since the last read burst ended.
    private var burstLength = 0
    private var reads = ReadGate()
    /// Frames read after the switch was paused, within the read that paused it: handled first
    /// when it is resumed. At most one read's worth (NIO reads a few buffers per readable
    /// event); holding them, rather than handling the whole read, keeps the switch to its window.
    private var held = CircularBuffer<ByteBuffer>()
    /// Called when the handshake completes: the listener bounds the connections still in it.
    var onHandshakeComplete: (() -> Void)?

    init(
        configuration: SwitchConnectionConfiguration, core: UnitCore, logger: Logger,
        maximumMessageLength: Int = OpenFlowHeader.maximumLength
    ) {
        self.frames = OpenFlowFrameSplitter(maximumLength: maximumMessageLength)
        self.machine = SwitchConnectionStateMachine(configuration: configuration)
        self.core = core
        self.logger = logger
    }

    var datapathID: DatapathID? { machine.datapathID }

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
        outbound.attach(to: context)
        id = ConnectionID(rawValue: UInt(bitPattern: ObjectIdentifier(context.channel)))
        remoteAddress = context.channel.remoteAddress
        logger[metadataKey: "switch"] = "\(remoteAddress.map { "\($0)" } ?? "?")"
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        self.context = nil
    }

    func channelActive(context: ChannelHandlerContext) {
        core.channelOpened(self)
        logger.debug("switch connected")
        perform(machine.start(now: .now()), now: .now())
        context.fireChannelActive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        // After a framing error the stream has no message boundaries left; the channel is closing.
        guard !framingFailed else { return }
        // One clock reading for the burst: its messages arrived together.
        let now = NIODeadline.now()
        var chunk = unwrapInboundIn(data)
        do throws(WireError) {
            while let frame = try frames.next(from: &chunk) {
                guard !reads.isPaused else {
                    held.append(frame)
                    continue
                }
                handle(frame, now: now)
                checkWindow()
            }
        } catch {
            framingFailed = true
            perform(machine.framingFailed(error), now: .now())
        }
    }

    private func handle(_ frame: ByteBuffer, now: NIODeadline) {
        burstLength += 1
        var reader = frame
        do {
            let message = try OpenFlowMessage(parsing: &reader)
            // Moved into the state machine, which moves it into the action it returns.
            perform(machine.received(consume message, now: now), now: now)
        } catch {
            logger.warning("malformed message from switch: \(error)", metadata: datapathMetadata)
            core.countMalformed()
            perform(machine.receivedMalformed(error, frame: frame, now: now), now: now)
        }
    }

    /// Pauses the switch as soon as it reaches its window above (or the unit is congested):
    /// checked after each message, so that a large read cannot take it past the window.
    private func checkWindow() {
        guard !reads.isPaused, let datapathID = machine.datapathID, core.shouldPause(.switchChannel(datapathID))
        else { return }
        pauseReading()
    }

    func channelReadComplete(context: ChannelHandlerContext) {
        // Answers to a burst of requests leave in one write, for this switch and any other.
        core.readBurstEnded(length: burstLength)
        burstLength = 0
        context.fireChannelReadComplete()
    }

    func read(context: ChannelHandlerContext) {
        if reads.shouldRead() { context.read() }
    }

    /// Stops reading the switch until `resumeReading` (backpressure).
    private func pauseReading() {
        reads.pause()
        machine.readingPaused()
    }

    func resumeReading() {
        guard reads.isPaused else { return }
        let now = NIODeadline.now()
        machine.readingResumed(now: now)
        reads.resumeHolding()
        // What was held is handled first, in order, up to the window again.
        // The switch's own read burst ended (and was counted) before it was paused.
        while !reads.isPaused, let frame = held.popFirst() {
            handle(frame, now: now)
            checkWindow()
        }
        if burstLength > 0 {
            core.readBurstEnded(length: burstLength)
            burstLength = 0
        }
        guard !reads.isPaused else { return }
        reads.resume(context)
    }

    /// The outcome of the TLS handshake's check of the switch's certificate (`switches.tls`).
    func certificateVerified(_ result: Result<Certificate, UnitCertificateRefusal>) {
        switch result {
        case .success(let certificate):
            logger.debug("switch certificate accepted: \(certificate.subject)")
            let named = UnitCertificates.datapathIDs(namedBy: certificate)
            // A malformed DPID name claims something this unit cannot read: it allows nothing.
            if !named.ids.isEmpty || named.malformed { certifiedDatapathIDs = ("\(certificate.subject)", named.ids) }
        case .failure(let refusal):
            certificateRefused = true
            logRefusal("\(refusal)")
        }
    }

    /// Says why a connection is refused, at most once a second for each reason.
    private func logRefusal(_ reason: String) {
        guard let suppressed = core.shouldLogSwitchRefusal(reason, now: .now()) else { return }
        logger.warning(
            "refusing switch: \(reason)",
            metadata: suppressed > 0 ? ["refusedSinceLastLine": "\(suppressed)"] : [:])
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        if let error = error as? NIOSSLError {
            if !certificateRefused {
                logRefusal(describeTLSFailure(error, plainHint: "a tcp: controller target against switches.tls here?"))
            }
        } else {
            logger.info("switch channel error: \(error)", metadata: datapathMetadata)
        }
        context.close(promise: nil)
    }

    func channelInactive(context: ChannelHandlerContext) {
        if !framingFailed {
            do {
                try frames.finish()
            } catch {
                logger.info("switch closed the channel mid-message: \(error)", metadata: datapathMetadata)
            }
        }
        let action = machine.channelClosed()
        core.channelClosed(self)
        perform(action, now: .now())
        context.fireChannelInactive()
    }

    /// Sends a message the controller starts; flushed with the current batch.
    func send(_ body: OpenFlowMessage.Body) {
        guard context != nil else { return }
        outbound.append(xid: machine.nextXID(), body)
        awaitFlush()
    }

    /// Sends a message with the xid it has (an answer carrying the switch's own).
    func send(_ message: OpenFlowMessage) {
        guard context != nil else { return }
        outbound.append(message)
        awaitFlush()
    }

    /// Sends a message from a return as the bytes it came in, with the switch's xid or a fresh one.
    func forward(_ message: EventReturn.SwitchMessage, xid: UInt32?) {
        guard context != nil else { return }
        outbound.append(message, xid: xid ?? machine.nextXID())
        awaitFlush()
    }

    /// Sends a return's messages, all for this switch, as `forward(_:xid:)` sends each. Returns
    /// how many FLOW_MODs it sent.
    func forward(_ messages: EventReturn.SwitchMessageList, xid: UInt32?) -> Int {
        guard context != nil else { return 0 }
        let flowMods: Int
        if let xid {
            flowMods = outbound.append(messages, xid: xid)
        } else {
            flowMods = messages.count(of: .flowMod)
            for message in messages { outbound.append(message, xid: machine.nextXID()) }
        }
        awaitFlush()
        return flowMods
    }

    private func awaitFlush() {
        guard !awaitingFlush else { return }
        awaitingFlush = true
        core.needsFlush(self)
    }

    func flush() {
        awaitingFlush = false
        guard let context, var bytes = outbound.take() else { return }
        context.writeAndFlush(NIOAny(bytes), promise: nil)
        outbound.recycle(&bytes)
    }

    func tick(now: NIODeadline) {
        perform(machine.tick(now: now), now: now)
    }

    /// Another connection claimed this channel's switch: the switch is asked for an echo (and
    /// the channel closed if it stays silent).
    func challenge(now: NIODeadline) {
        perform(machine.challenge(now: now), now: now)
    }

    /// A live channel holds the DPID this one's handshake named: this one goes, and the holder's
    /// switch is asked whether it is still there. Anything that reaches the port could otherwise
    /// make a real switch flap by naming its DPID; a switch that really reconnected (its old
    /// connection dead but not yet closed) is taken at its next attempt.
    private func refuse(_ datapathID: DatapathID, heldBy holder: SwitchChannelHandler, now: NIODeadline) {
        machine.refused()
        let timeout = machine.configuration.challengeTimeout.nanoseconds / 1_000_000
        logRefusal(
            "DPID \(datapathID) is held by a live connection from \(holder.remoteAddress.map { "\($0)" } ?? "?"), which is sent an echo and closed if it does not answer within \(timeout) ms"
        )
        holder.challenge(now: now)
        context?.close(promise: nil)
    }

    /// Closes a channel whose switch reconnected on a newer one.
    func closeReplaced() {
        logger.info("closing: replaced by a newer connection of the same switch", metadata: datapathMetadata)
        context?.close(promise: nil)
    }

    func close() {
        context?.close(promise: nil)
    }

    private var datapathMetadata: Logger.Metadata {
        machine.datapathID.map { ["dpid": "\($0)"] } ?? [:]
    }

    private func perform(_ action: SwitchConnectionAction, now: NIODeadline) {
        guard let context else { return }
        switch action {
        case .none:
            break
        case .send(let message):
            outbound.append(message)
            flush()
        case .handshakeComplete(let description, let messages):
            onHandshakeComplete?()
            if let certified = certifiedDatapathIDs, !certified.ids.contains(description.datapathID) {
                machine.refused()
                let named =
                    certified.ids.isEmpty
                    ? "no DPID it can read" : certified.ids.map { "\($0)" }.joined(separator: ", ")
                logRefusal(
                    "DPID \(description.datapathID) is not among those its certificate (\(certified.subject)) names: \(named)"
                )
                context.close(promise: nil)
                return
            }
            if let holder = core.liveChannel(holding: description.datapathID, besides: self) {
                refuse(description.datapathID, heldBy: holder, now: now)
                return
            }
            for message in messages { outbound.append(message) }
            flush()
            logger[metadataKey: "dpid"] = "\(description.datapathID)"
            logger.info(
                "switch ready",
                metadata: ["ports": "\(description.ports.count)", "tables": "\(description.features.tableCount)"])
            core.switchReady(description, on: self, now: now)
            core.flushPending()
        case .deliver(let message):
            guard let datapathID = machine.datapathID else { return }
            core.received(message, from: datapathID, now: now)
        case .close(let reason, let message):
            logger.warning("closing switch channel: \(reason)", metadata: datapathMetadata)
            // The write is handed to the socket before the close, so the switch reads why.
            if let message { outbound.append(message) }
            flush()
            context.close(promise: nil)
        case .switchRemoved(let datapathID):
            logger.info("switch disconnected")
            core.switchGone(datapathID, on: self, now: now)
        }
    }
}
