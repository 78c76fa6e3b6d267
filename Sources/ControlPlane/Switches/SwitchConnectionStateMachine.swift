import NIOCore
import OpenFlow

/// The OpenFlow 1.0 controller side of one switch channel: handshake, version negotiation,
/// keepalive, error budget. It performs no I/O and reads no clock: the channel handler passes
/// in what arrived and the time, and performs the action that comes back.
public struct SwitchConnectionStateMachine: Sendable {
    enum State: Sendable {
        case idle
        case awaitingHello(AwaitingHelloState)
        case awaitingFeatures(AwaitingFeaturesState)
        case active(ActiveState)
        /// Closed by us or by the switch; `datapathID` is the switch it carried, until the
        /// channel's end has been reported with `switchRemoved`.
        case closed(datapathID: DatapathID?)
    }

    public let configuration: SwitchConnectionConfiguration
    var state: State = .idle
    var errors: ErrorBudget
    private var lastXID: UInt32 = 0
    /// When an active switch was last heard from. Kept out of `ActiveState` because every
    /// message sets it: changing it inside the state would copy the switch's description out
    /// of the enum and back for each PACKET_IN.
    private var lastHeard = NIODeadline.uptimeNanoseconds(0)
    private var readsPaused = false

    /// The switch's DPID once the handshake is complete (nil before it and after the close).
    /// Stored, not read out of the state, because every delivered message asks for it.
    public private(set) var datapathID: DatapathID?

    public init(configuration: SwitchConnectionConfiguration = SwitchConnectionConfiguration()) {
        self.configuration = configuration
        self.errors = ErrorBudget(limit: configuration.errorBudget, window: configuration.errorWindow)
    }

    public var isActive: Bool { datapathID != nil }

    /// A transaction id for a message the controller starts.
    public mutating func nextXID() -> UInt32 {
        lastXID &+= 1
        return lastXID
    }

    /// The TCP connection is up: say HELLO.
    public mutating func start(now: NIODeadline) -> SwitchConnectionAction {
        guard case .idle = state else { return .none }
        state = .awaitingHello(AwaitingHelloState(since: now))
        return .send(OpenFlowMessage(xid: nextXID(), .hello(Hello())))
    }

    /// The message is taken, not borrowed: a delivered one moves into the action instead of
    /// being copied (a copy of the message enum for every PACKET_IN).
    public mutating func received(_ message: consuming OpenFlowMessage, now: NIODeadline) -> SwitchConnectionAction {
        if case .echoRequest(let echo) = message.body, !isClosedOrIdle {
            touch(now)
            return .send(OpenFlowMessage(xid: message.xid, .echoReply(EchoReply(answering: echo))))
        }
        switch state {
        case .idle, .closed:
            return .none
        case .awaitingHello(let awaiting):
            guard case .hello(let hello) = message.body else {
                close()
                return .close(.expectedHello(got: message.type), sendingFirst: nil)
            }
            guard VersionNegotiation.accepts(version: message.version, hello: hello) else {
                close()
                return .close(
                    .incompatibleVersion(message.version), sendingFirst: VersionNegotiation.failure(answering: message))
            }
            let xid = nextXID()
            state = .awaitingFeatures(AwaitingFeaturesState(since: awaiting.since, featuresXID: xid))
            return .send(OpenFlowMessage(xid: xid, .featuresRequest(FeaturesRequest())))
        case .awaitingFeatures(let awaiting):
            guard case .featuresReply(let features) = message.body, message.xid == awaiting.featuresXID else {
                // Anything else before the features (an early PORT_STATUS, say) describes a
                // switch we do not know yet; the FEATURES_REPLY will carry the same facts.
                return .none
            }
            let description = SwitchDescription(features: features)
            state = .active(ActiveState(description: description))
            lastHeard = now
            datapathID = description.datapathID
            let configure = OpenFlowMessage(
                xid: nextXID(),
                .setConfig(SetConfig(config: SwitchConfig(missSendLength: configuration.missSendLength))))
            return .handshakeComplete(description, send: [configure])
        case .active:
            // What the message changes is stored before the answer is chosen: counting an
            // error may close the connection, and the closed state must stay.
            lastHeard = now
            switch message.body {
            case .echoReply: updateActive { $0.echoOutstandingSince = nil }
            case .featuresReply(let features): updateActive { $0.description = SwitchDescription(features: features) }
            case .portStatus(let status): updateActive { $0.description.apply(status) }
            default: break
            }
            switch message.body {
            case .echoReply, .hello:
                return .none
            case .featuresReply, .portStatus, .packetIn, .flowRemoved, .vendor, .error, .statsReply, .barrierReply,
                .getConfigReply, .queueGetConfigReply:
                return .deliver(message)
            case .echoRequest, .featuresRequest, .getConfigRequest, .setConfig, .packetOut, .flowMod, .portMod,
                .statsRequest, .barrierRequest, .queueGetConfigRequest:
                // Controller-to-switch messages have no meaning coming from a switch.
                let reply = OpenFlowMessage(
                    xid: message.xid, .error(ErrorMessage(BadRequestCode.badType, excerptOf: message)))
                return countError(now: now, reply: reply)
            }
        }
    }

    /// A complete frame whose body did not parse: answer as the specification asks and count it.
    public mutating func receivedMalformed(
        _ error: WireError, frame: ByteBuffer, now: NIODeadline
    ) -> SwitchConnectionAction {
        guard !isClosedOrIdle else { return .none }
        touch(now)
        let xid = frame.getInteger(at: frame.readerIndex + 4, as: UInt32.self) ?? 0
        return countError(
            now: now, reply: OpenFlowMessage(xid: xid, .error(ErrorMessage(answering: error, request: frame))))
    }

    /// The byte stream cannot be split into messages any more (a lying length).
    public mutating func framingFailed(_ error: WireError) -> SwitchConnectionAction {
        guard !isClosedOrIdle else { return .none }
        close()
        return .close(
            .framingError(error), sendingFirst: OpenFlowMessage(xid: 0, .error(ErrorMessage(BadRequestCode.badLength))))
    }

    /// Periodic check: keepalive, dead-switch detection, handshake deadline.
    public mutating func tick(now: NIODeadline) -> SwitchConnectionAction {
        switch state {
        case .idle, .closed:
            return .none
        case .awaitingHello(let awaiting):
            return handshakeDeadline(since: awaiting.since, now: now)
        case .awaitingFeatures(let awaiting):
            return handshakeDeadline(since: awaiting.since, now: now)
        case .active(var active):
            // While the unit holds the channel's reads, its silence is not the switch's.
            guard !readsPaused else { return .none }
            let silence = now - lastHeard
            if silence >= configuration.echoTimeout {
                close()
                return .close(.keepaliveTimeout, sendingFirst: nil)
            }
            if let challenged = active.challengedSince {
                if lastHeard >= challenged {
                    active.challengedSince = nil
                    state = .active(active)
                } else if now - challenged >= configuration.challengeTimeout {
                    close()
                    return .close(.unansweredChallenge(configuration.challengeTimeout), sendingFirst: nil)
                }
            }
            guard silence >= configuration.echoInterval, active.echoOutstandingSince == nil else { return .none }
            active.echoOutstandingSince = now
            state = .active(active)
            return .send(OpenFlowMessage(xid: nextXID(), .echoRequest(EchoRequest())))
        }
    }

    /// Another connection claimed this switch's DPID (and was refused): the switch is asked
    /// for an echo now. One that answers, or says anything, within `challengeTimeout` keeps its
    /// channel; a silent one is closed at the tick after that, taken for a dead connection, so
    /// that a switch that really reconnected is taken at its next attempt.
    public mutating func challenge(now: NIODeadline) -> SwitchConnectionAction {
        guard case .active(var active) = state, active.challengedSince == nil else { return .none }
        active.challengedSince = now
        state = .active(active)
        return .send(OpenFlowMessage(xid: nextXID(), .echoRequest(EchoRequest())))
    }

    /// The unit refused the switch this channel's handshake named (another live channel holds
    /// its DPID): closed without a switch to remove, since the switch is not this channel's.
    public mutating func refused() {
        state = .closed(datapathID: nil)
        datapathID = nil
    }

    /// The channel closed, for whatever reason: the switch it carried, if any, is gone.
    public mutating func channelClosed() -> SwitchConnectionAction {
        close()
        guard case .closed(let datapathID?) = state else { return .none }
        state = .closed(datapathID: nil)
        return .switchRemoved(datapathID)
    }

    /// Enters the closed state, keeping the DPID of an active switch for `channelClosed`.
    private mutating func close() {
        switch state {
        case .active(let active): state = .closed(datapathID: active.description.datapathID)
        case .closed: break
        default: state = .closed(datapathID: nil)
        }
        datapathID = nil
    }

    private var isClosedOrIdle: Bool {
        switch state {
        case .idle, .closed: return true
        default: return false
        }
    }

    /// The unit stopped reading the channel (backpressure): no keepalive runs until it reads again.
    public mutating func readingPaused() { readsPaused = true }

    /// The unit reads the channel again: silence counts from now.
    public mutating func readingResumed(now: NIODeadline) {
        readsPaused = false
        touch(now)
    }

    private mutating func touch(_ now: NIODeadline) {
        if case .active = state { lastHeard = now }
    }

    /// Changes the active state in place (the rare messages that change what is known of the switch).
    private mutating func updateActive(_ change: (inout ActiveState) -> Void) {
        guard case .active(var active) = state else { return }
        change(&active)
        state = .active(active)
    }

    private mutating func handshakeDeadline(since: NIODeadline, now: NIODeadline) -> SwitchConnectionAction {
        guard now - since >= configuration.handshakeTimeout else { return .none }
        close()
        return .close(.handshakeTimeout, sendingFirst: nil)
    }

    private mutating func countError(now: NIODeadline, reply: OpenFlowMessage) -> SwitchConnectionAction {
        guard errors.record(now: now) else {
            close()
            return .close(.tooManyErrors(errors.count), sendingFirst: reply)
        }
        return .send(reply)
    }
}

struct AwaitingHelloState: Sendable {
    let since: NIODeadline
}

struct AwaitingFeaturesState: Sendable {
    let since: NIODeadline
    let featuresXID: UInt32
}

struct ActiveState: Sendable {
    var description: SwitchDescription
    var echoOutstandingSince: NIODeadline?
    /// When the switch was sent an echo because another connection claimed its DPID.
    var challengedSince: NIODeadline?
}

/// Counts errors in a sliding window; `record` says whether the budget still holds.
struct ErrorBudget: Sendable {
    let limit: Int
    let window: TimeAmount
    private(set) var count = 0
    private var windowStart: NIODeadline?

    init(limit: Int, window: TimeAmount) {
        self.limit = limit
        self.window = window
    }

    mutating func record(now: NIODeadline) -> Bool {
        if let start = windowStart, now - start < window {
            count += 1
        } else {
            windowStart = now
            count = 1
        }
        return count <= limit
    }
}
