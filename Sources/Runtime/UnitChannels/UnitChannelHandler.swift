import ControlPlane
import Logging
import NIOCore
import NIOSSL
import OpenFlow
import UnitProtocol

/// One unit channel: frames the stream, asks its `UnitChannelStateMachine` what each message
/// means, performs the actions that come back, and hands what the channel carries to the
/// unit's neighbour units. Lives on the unit's event loop, like them.
final class UnitChannelHandler: ChannelDuplexHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    private var frames = OpenFlowFrameSplitter()
    private var outbound = OutboundBatch()
    private var machine: UnitChannelStateMachine
    private var framingFailed = false
    /// Messages read since the last read burst ended.
    private var burstLength = 0
    private var reads = ReadGate()
    private let neighbours: NeighbourUnits
    private var context: ChannelHandlerContext?
    private var logger: Logger
    /// What the neighbour units know this channel by, from the moment it is active.
    private(set) var id = UnitChannelID(rawValue: 0)
    /// The unit this channel reached, kept after the state machine has closed.
    private var lastRemote: UnitID?
    /// Called once when the channel closes, with the unit it reached if it got that far (the
    /// dialer schedules its next attempt).
    private let onClose: (@Sendable (UnitID?) -> Void)?
    /// Called when the handshake completes: the listener bounds the channels still in it.
    var onHandshakeComplete: (() -> Void)?
    /// The other unit's certificate was refused, and the line saying why is written: the TLS
    /// handshake's own failure that follows says nothing more.
    private var certificateRefused = false
    /// Whether anything was read yet: the first bytes tell a TLS unit talking to a plain one.
    private var readAnything = false

    init(
        configuration: UnitChannelConfiguration, role: UnitChannelRole, neighbours: NeighbourUnits, logger: Logger,
        onClose: (@Sendable (UnitID?) -> Void)? = nil
    ) {
        self.machine = UnitChannelStateMachine(configuration: configuration, role: role)
        self.neighbours = neighbours
        self.logger = logger
        self.onClose = onClose
    }

    var remote: (identity: UnitIdentity, relation: ChannelRelation)? { machine.remote }

    /// The unit at the other end, while the channel is established.
    var peer: UnitChannelPeer? { machine.peer }

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
        outbound.attach(to: context)
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        self.context = nil
    }

    func channelActive(context: ChannelHandlerContext) {
        logger[metadataKey: "address"] = "\(context.channel.remoteAddress.map { "\($0)" } ?? "?")"
        id = neighbours.opened(self)
        perform(machine.start(now: .now()))
        context.fireChannelActive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard !framingFailed else { return }
        // One clock reading for the burst: its messages arrived together.
        let now = NIODeadline.now()
        var chunk = unwrapInboundIn(data)
        if !readAnything {
            readAnything = true
            if Self.isTLSRecord(chunk) {
                framingFailed = true
                refused("the other end speaks TLS (units.tls there, units.plaintext here?)")
                context.close(promise: nil)
                return
            }
        }
        do throws(WireError) {
            while let frame = try frames.next(from: &chunk) {
                do throws(WireError) {
                    try read(frame, now: now)
                } catch {
                    perform(machine.receivedMalformed(error))
                }
            }
        } catch {
            framingFailed = true
            perform(machine.framingFailed(error))
        }
    }

    /// One OpenFlow message. On an established channel a vendor message of ours is read as
    /// the unit messages it packs; anything else is an OpenFlow message for the state machine.
    private func read(_ frame: ByteBuffer, now: NIODeadline) throws(WireError) {
        // The state machine answers once for the pack: who sent it (nil before the channel is
        // established, when a vendor message of ours is part of the handshake), and (by type)
        // which of its messages go to the neighbour units as they are.
        guard machine.peer != nil, var pack = try UnitMessagePack(frame: frame),
            let peer = machine.packArrived(now: now)
        else {
            burstLength += 1
            var reader = frame
            perform(machine.received(try OpenFlowMessage(parsing: &reader), now: now), now: now)
            return
        }
        var read = 0
        defer { burstLength += read }
        try pack.readEach { type, message in
            read += 1
            if UnitChannelStateMachine.deliversAsIs(type) {
                neighbours.received(message, from: peer, on: self, now: now)
                return true
            }
            perform(machine.receivedWhenEstablished(message, now: now), now: now)
            // A message that closed the channel ends the pack.
            return machine.peer != nil
        }
    }

    func channelReadComplete(context: ChannelHandlerContext) {
        // Everything this burst caused: answers to switches, events and returns to other units.
        neighbours.readBurstEnded(length: burstLength, on: self)
        burstLength = 0
        flush()
        context.fireChannelReadComplete()
    }

    func read(context: ChannelHandlerContext) {
        if reads.shouldRead() { context.read() }
    }

    /// Stops reading the other unit until `resumeReading` (backpressure).
    func pauseReading() {
        reads.pause()
        machine.readingPaused()
    }

    func resumeReading() {
        guard reads.isPaused else { return }
        machine.readingResumed(now: .now())
        reads.resume(context)
    }

    func channelWritabilityChanged(context: ChannelHandlerContext) {
        neighbours.writabilityChanged(self, writable: context.channel.isWritable)
        context.fireChannelWritabilityChanged()
    }

    /// A TLS handshake or alert record where a plain unit channel expects OpenFlow: no OpenFlow
    /// version is 0x15 or 0x16, so this cannot be a unit that speaks plain TCP.
    static func isTLSRecord(_ bytes: ByteBuffer) -> Bool {
        guard let type = bytes.getInteger(at: bytes.readerIndex, as: UInt8.self),
            let major = bytes.getInteger(at: bytes.readerIndex + 1, as: UInt8.self)
        else { return false }
        return (type == 0x15 || type == 0x16) && major == 0x03
    }

    /// Logs why a channel was refused before its handshake could say so, at most once a second
    /// for each reason (a flood of such connections writes a line a second, with a count).
    private func refused(_ reason: String) {
        guard let suppressed = neighbours.shouldLogRefusal(reason, now: .now()) else { return }
        logger.warning(
            "refusing unit channel: \(reason)",
            metadata: suppressed > 0 ? ["refusedSinceLastLine": "\(suppressed)"] : [:])
    }

    /// The outcome of the TLS handshake's check of the other unit's certificate (mutual TLS):
    /// the UID it proves, which the unit it claims to be in its handshake must match.
    func peerVerified(_ result: Result<UnitID, UnitCertificateRefusal>) {
        switch result {
        case .success(let uid):
            logger.debug("the other unit's certificate proves UID \(uid)")
            machine.certified(as: uid)
        case .failure(let refusal):
            certificateRefused = true
            refused(refusal.description)
        }
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        if let error = error as? NIOSSLError {
            if !certificateRefused {
                refused(describeTLSFailure(error, plainHint: "plain TCP, units.plaintext, against units.tls here?"))
            }
        } else {
            logger.info("unit channel error: \(error)")
        }
        context.close(promise: nil)
    }

    func channelInactive(context: ChannelHandlerContext) {
        let reached = machine.remote?.identity.uid ?? lastRemote
        perform(machine.channelClosed())
        neighbours.closed(id)
        onClose?(reached)
        context.fireChannelInactive()
    }

    func tick(now: NIODeadline) {
        perform(machine.tick(now: now))
    }

    /// Sends a unit message now (route updates are few and must not wait).
    func send(_ message: UnitMessage) {
        outbound.append(message.openFlowMessage(xid: machine.nextXID()))
        flush()
    }

    /// Appends an event or a return, which `write` writes with the xid it is given, to the
    /// outgoing batch, packed with those before it; true when the batch was empty, so the
    /// caller schedules one flush for the burst.
    func enqueue(_ write: (inout ByteBuffer, UInt32) -> Void) -> Bool {
        guard context != nil else { return false }
        // Every write empties the batch, so a non-empty one already has its flush coming.
        return outbound.appendPacked(xid: machine.nextXID(), write)
    }

    func flushEnqueued() {
        flush()
    }

    /// Closes the channel with a reason, as for any protocol violation.
    func refuse(_ reason: String) {
        perform(machine.refused(reason))
    }

    /// Closes a channel that duplicates another one to the same unit.
    func closeDuplicate() {
        logger.info("closing: a duplicate of another channel to the same unit")
        context?.close(promise: nil)
    }

    func close() {
        context?.close(promise: nil)
    }

    private func flush() {
        guard let context, var bytes = outbound.take() else { return }
        context.writeAndFlush(NIOAny(bytes), promise: nil)
        outbound.recycle(&bytes)
    }

    private func perform(_ actions: [UnitChannelAction], now: NIODeadline = .now()) {
        for action in actions { perform(action, now: now) }
    }

    private func perform(_ action: UnitChannelAction, now: NIODeadline = .now()) {
        guard let context else { return }
        switch action {
        case .none:
            break
        case .send(let message):
            outbound.append(message)
            flush()
        case .sendExports(let xid, let unit, let relation):
            let services = neighbours.exports(to: unit, relation: relation)
            for part in Exports.parts(unit: neighbours.identity, services: services) {
                outbound.append(UnitMessage.exportsReply(part).openFlowMessage(xid: xid))
            }
            flush()
        case .established(let remote, let relation, let exports):
            onHandshakeComplete?()
            lastRemote = remote.uid
            logger[metadataKey: "unit"] = "\(remote.uid) \(remote.name)"
            logger.info(
                "unit channel established",
                metadata: ["relation": "\(relation)", "tier": "\(remote.tier)", "exports": "\(exports.count)"])
            neighbours.established(
                self, remote: remote, relation: relation, dialer: machine.dialerUID, exports: exports)
        case .deliver(let message, let peer):
            neighbours.received(message, from: peer, on: self, now: now)
        case .close(let reason, let message):
            logger.warning("closing unit channel: \(reason)")
            if let message { outbound.append(message) }
            flush()
            context.close(promise: nil)
        case .channelDown(let uid):
            logger.info("unit channel down")
            neighbours.channelDown(uid, on: self)
        }
    }
}
