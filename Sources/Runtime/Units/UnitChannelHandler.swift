import ControlPlane
import Logging
import NIOCore
import OpenFlow
import UnitProtocol

/// One unit channel: frames the stream, feeds its `UnitChannelStateMachine`, performs the
/// actions that come back, and hands routes and exports to the routing core. Lives on the
/// unit's event loop, like the core.
final class UnitChannelHandler: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    private var frames: NIOSingleStepByteToMessageProcessor<OpenFlowFrameDecoder>
    private var outbound = OutboundBatch()
    private var machine: UnitChannelStateMachine
    private var framingFailed = false
    /// Messages read since the last read burst ended.
    private var burstLength = 0
    private let core: UnitRoutingCore
    private var context: ChannelHandlerContext?
    private var logger: Logger
    /// The unit this channel reached, kept after the state machine has closed.
    private var lastRemote: UnitID?
    /// Called once when the channel closes, with the unit it reached if it got that far (the
    /// dialer schedules its next attempt).
    private let onClose: (@Sendable (UnitID?) -> Void)?

    init(
        configuration: UnitChannelConfiguration, role: UnitChannelRole, core: UnitRoutingCore, logger: Logger,
        onClose: (@Sendable (UnitID?) -> Void)? = nil
    ) {
        self.frames = NIOSingleStepByteToMessageProcessor(OpenFlowFrameDecoder())
        self.machine = UnitChannelStateMachine(configuration: configuration, role: role)
        self.core = core
        self.logger = logger
        self.onClose = onClose
    }

    var remote: (identity: UnitIdentity, relation: ChannelRelation)? { machine.remote }
    var dialerUID: UnitID? { machine.dialerUID }

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
        outbound.attach(to: context)
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        self.context = nil
    }

    func channelActive(context: ChannelHandlerContext) {
        logger[metadataKey: "address"] = "\(context.channel.remoteAddress.map { "\($0)" } ?? "?")"
        core.opened(self)
        perform(machine.start(now: .now()))
        context.fireChannelActive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard !framingFailed else { return }
        do {
            // One clock reading for the burst: its messages arrived together.
            let now = NIODeadline.now()
            try frames.process(buffer: unwrapInboundIn(data)) { frame in
                var reader = frame
                do throws(WireError) {
                    if machine.isEstablished {
                        // Unit messages are read from the frame's bytes (several when packed);
                        // echoes and the rest as OpenFlow messages.
                        if var pack = try UnitMessagePack(frame: frame) {
                            // A busy channel's frame packs dozens of events or returns, which
                            // cannot close the channel: once the state machine has taken one
                            // (and noted the channel heard now), the rest of the frame's go
                            // straight to the routing core with the peer it gave, so that each
                            // costs no access to this handler's state.
                            var relayPeer: (uid: UnitID, relation: ChannelRelation)?
                            var read = 0
                            defer { burstLength += read }
                            while let unitMessage = try pack.next() {
                                read += 1
                                let type = unitMessage.type
                                let relayed = type == .event || type == .eventReturn
                                if relayed, let peer = relayPeer {
                                    core.received(
                                        unitMessage, from: peer.uid, relation: peer.relation, on: self, now: now)
                                } else if machine.deliversAsIs(type, now: now), let peer = machine.peer {
                                    if relayed { relayPeer = peer }
                                    core.received(
                                        unitMessage, from: peer.uid, relation: peer.relation, on: self, now: now)
                                } else {
                                    perform(machine.receivedWhenEstablished(unitMessage, now: now), now: now)
                                }
                            }
                        } else {
                            burstLength += 1
                            perform(
                                machine.receivedWhenEstablished(try OpenFlowMessage(parsing: &reader), now: now),
                                now: now)
                        }
                    } else {
                        burstLength += 1
                        perform(machine.received(try OpenFlowMessage(parsing: &reader), now: now), now: now)
                    }
                } catch {
                    perform(machine.receivedMalformed(error))
                }
            }
        } catch let error as WireError {
            framingFailed = true
            perform(machine.framingFailed(error))
        } catch {
            context.close(promise: nil)
        }
    }

    func channelReadComplete(context: ChannelHandlerContext) {
        // Everything this burst caused: answers to switches, events and returns to other units.
        core.core.readBurstEnded(length: burstLength)
        burstLength = 0
        flush()
        context.fireChannelReadComplete()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        logger.info("unit channel error: \(error)")
        context.close(promise: nil)
    }

    func channelInactive(context: ChannelHandlerContext) {
        let reached = machine.remote?.identity.uid ?? lastRemote
        perform(machine.channelClosed())
        core.closed(self)
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
            for part in Exports.parts(unit: core.identity, services: core.exports(to: unit, relation: relation)) {
                outbound.append(UnitMessage.exportsReply(part).openFlowMessage(xid: xid))
            }
            flush()
        case .established(let remote, let relation, let exports):
            lastRemote = remote.uid
            logger[metadataKey: "unit"] = "\(remote.uid) \(remote.name)"
            logger.info(
                "unit channel established",
                metadata: ["relation": "\(relation)", "tier": "\(remote.tier)", "exports": "\(exports.count)"])
            core.established(self, remote: remote, relation: relation, exports: exports)
        case .deliver(let message):
            guard let peer = machine.peer else { return }
            core.received(message, from: peer.uid, relation: peer.relation, on: self, now: now)
        case .close(let reason, let message):
            logger.warning("closing unit channel: \(reason)")
            if let message { outbound.append(message) }
            flush()
            context.close(promise: nil)
        case .channelDown(let uid):
            logger.info("unit channel down")
            core.channelDown(uid, on: self)
        }
    }
}
