import NIOCore
import OpenFlow
import UnitProtocol

/// One unit channel (TCP 6644), from either end: HELLO both ways, then each side sends an
/// ECH_EXPORTS_REQUEST naming itself and answers the other's with its exports; when both
/// requests are answered the channel is established with a relation (upstream, downstream or
/// peer, from the tiers and, for the dialing end, the topology). Then route messages and
/// exports updates flow, with echo keepalive both ways. Each end's echoes carry its clock, from
/// which the other reads the deadlines of its events (`PeerClock`); so they go out at a steady
/// pace, not only when the channel is silent.
///
/// The handshake is symmetric so that both ends know each other's identity and exports
/// whichever end dialed; peers need that, since each relays the other's upstream services.
/// Anything that breaks the protocol closes the channel with the reason; nothing is answered
/// with OFPT_ERROR, because a unit that sends garbage is not worth talking to.
///
/// No I/O and no clock: the handler passes in what arrived and the time, and performs the
/// actions that come back.
public struct UnitChannelStateMachine: Sendable {
    enum State: Sendable {
        case idle
        case handshaking(Handshake)
        case established(Established)
        /// Closed; `remote` is the unit whose end must still be reported with `channelDown`.
        case closed(remote: UnitID?)
    }

    struct Handshake: Sendable {
        let since: NIODeadline
        var helloReceived = false
        var requestXID: UInt32 = 0
        var remote: UnitIdentity?
        var relation: ChannelRelation?
        var exports: [ExportedService] = []
        var exportsComplete = false
    }

    struct Established: Sendable {
        let remote: UnitIdentity
        let relation: ChannelRelation
        var echoOutstandingSince: NIODeadline?
        /// When this end last sent an echo (or, before the first, when the channel was established).
        var lastEchoSent: NIODeadline
        /// Parts of an exports update whose last part has not arrived yet.
        var updateParts: [ExportedService] = []
    }

    public let configuration: UnitChannelConfiguration
    public let role: UnitChannelRole
    var state: State = .idle {
        didSet {
            peer =
                if case .established(let established) = state {
                    UnitChannelPeer(uid: established.remote.uid, relation: established.relation, clock: clock.offset)
                } else {
                    nil
                }
        }
    }
    /// The other unit's clock, as its echoes show it.
    private var clock = PeerClock()
    /// The unit at the other end and how it relates to this one, while the channel is
    /// established. Kept beside the state, so that reading it for each event or return copies
    /// no identity out of the state.
    public private(set) var peer: UnitChannelPeer?
    private var lastXID: UInt32 = 0
    /// When the established channel last carried anything. Kept out of `Established` because
    /// every event and return sets it: changing it inside the state would copy the remote's
    /// identity and the exports out of the enum and back for each of them.
    private var lastHeard = NIODeadline.uptimeNanoseconds(0)
    private var readsPaused = false
    /// The UID the other unit's certificate names, once its TLS handshake proved it.
    private var certifiedUID: UnitID?

    public init(configuration: UnitChannelConfiguration, role: UnitChannelRole) {
        self.configuration = configuration
        self.role = role
    }

    /// The UID of the unit that dialed this channel, once the other end introduced itself.
    public var dialerUID: UnitID? {
        let remote: UnitID? =
            switch state {
            case .handshaking(let handshake): handshake.remote?.uid
            case .established(let established): established.remote.uid
            default: nil
            }
        guard let remote else { return nil }
        if case .acceptor = role { return remote }
        return configuration.local.uid
    }

    /// The other unit and how it relates to us, once established.
    public var remote: (identity: UnitIdentity, relation: ChannelRelation)? {
        if case .established(let established) = state { return (established.remote, established.relation) }
        return nil
    }

    public mutating func nextXID() -> UInt32 {
        lastXID &+= 1
        return lastXID
    }

    /// The other unit's certificate chains to the control plane's CA and names `uid` (the
    /// channel's TLS handshake, before any unit message). With `.certified` trust, the UID the
    /// other unit claims must be this one.
    public mutating func certified(as uid: UnitID) {
        certifiedUID = uid
    }

    /// The TCP connection is up: say HELLO.
    public mutating func start(now: NIODeadline) -> [UnitChannelAction] {
        guard case .idle = state else { return [] }
        state = .handshaking(Handshake(since: now))
        return [.send(OpenFlowMessage(xid: nextXID(), .hello(Hello())))]
    }

    public mutating func received(_ message: OpenFlowMessage, now: NIODeadline) -> [UnitChannelAction] {
        switch state {
        case .idle, .closed:
            return []
        case .handshaking(var handshake):
            if case .echoRequest(let echo) = message.body {
                return [answer(echo, xid: message.xid, now: now)]
            }
            guard handshake.helloReceived else {
                guard case .hello(let hello) = message.body else { return close(.expectedHello(got: message.type)) }
                guard VersionNegotiation.accepts(version: message.version, hello: hello) else {
                    return close(
                        .incompatibleVersion(message.version),
                        sendingFirst: VersionNegotiation.failure(answering: message))
                }
                handshake.helloReceived = true
                handshake.requestXID = nextXID()
                state = .handshaking(handshake)
                return [
                    .send(
                        UnitMessage.exportsRequest(ExportsRequest(unit: configuration.local)).openFlowMessage(
                            xid: handshake.requestXID))
                ]
            }
            switch unitMessage(in: message, state: "handshake") {
            case .failure(let reason):
                return close(reason)
            case .success(.exportsRequest(let request)):
                guard handshake.remote == nil else {
                    return close(.unexpectedUnitMessage(.exportsRequest, state: "a second request"))
                }
                let relation: ChannelRelation
                switch self.relation(of: request.unit) {
                case .failure(let reason): return close(reason)
                case .success(let found): relation = found
                }
                handshake.remote = request.unit
                handshake.relation = relation
                return [.sendExports(xid: message.xid, to: request.unit.uid, relation: relation)]
                    + finishHandshake(handshake, now: now)
            case .success(.exportsReply(let exports)):
                guard !handshake.exportsComplete else {
                    return close(.unexpectedUnitMessage(.exportsReply, state: "after the last part"))
                }
                guard handshake.exports.count + exports.services.count <= configuration.maximumServices else {
                    return close(.tooManyServices(limit: configuration.maximumServices))
                }
                handshake.exports += exports.services
                handshake.exportsComplete = !exports.more
                return finishHandshake(handshake, now: now)
            case .success(let other):
                return close(.unexpectedUnitMessage(other.type, state: "before the exports exchange completed"))
            }
        case .established:
            let action = receivedWhenEstablished(message, now: now)
            return action == .none ? [] : [action]
        }
    }

    /// A message on an established channel, where events and returns arrive at the rate of
    /// PACKET_INs: one action (`.none` for nothing), so that no list is built per message.
    public mutating func receivedWhenEstablished(_ message: OpenFlowMessage, now: NIODeadline) -> UnitChannelAction {
        guard case .established = state else { return .none }
        lastHeard = now
        switch message.body {
        case .echoRequest(let echo):
            return answer(echo, xid: message.xid, now: now)
        case .echoReply:
            if case .established(var established) = state {
                established.echoOutstandingSince = nil
                state = .established(established)
            }
            return .none
        case .hello:
            return .none
        default:
            break
        }
        switch unitMessage(in: message, state: "established") {
        case .failure(let reason):
            return closeAction(reason)
        case .success(let unitMessage):
            return action(for: unitMessage)
        }
    }

    /// Whether a unit message of this type, on an established channel, goes to the unit as it
    /// is (`.deliver`): events, returns, commands and route messages. Exports updates are put together
    /// from their parts first; anything else closes the channel.
    public static func deliversAsIs(_ type: UnitMessageType) -> Bool {
        switch type {
        case .event, .eventReturn, .command, .routeAdvertisement, .routeWithdrawal: true
        default: false
        }
    }

    /// A vendor message of ours arrived on the channel, packing one or more unit messages: it
    /// counts as hearing from the other unit. Answers, for the whole pack, who sent it (nil
    /// when the channel is not established): its messages that `deliversAsIs` go to the unit
    /// from that peer with no action value for each, and the rest one by one through
    /// `receivedWhenEstablished(_:now:)`.
    public mutating func packArrived(now: NIODeadline) -> UnitChannelPeer? {
        guard let peer else { return nil }
        lastHeard = now
        return peer
    }

    /// A unit message on an established channel, read by the channel straight from its frame.
    public mutating func receivedWhenEstablished(_ unitMessage: UnitMessage, now: NIODeadline) -> UnitChannelAction {
        guard peer != nil else { return .none }
        lastHeard = now
        return action(for: unitMessage)
    }

    private mutating func action(for unitMessage: UnitMessage) -> UnitChannelAction {
        guard let peer else { return .none }
        if Self.deliversAsIs(unitMessage.type) { return .deliver(unitMessage, from: peer) }
        switch unitMessage {
        case .exportsUpdate(let update):
            guard case .established(var established) = state else { return .none }
            guard established.updateParts.count + update.services.count <= configuration.maximumServices else {
                return closeAction(.tooManyServices(limit: configuration.maximumServices))
            }
            established.updateParts += update.services
            guard !update.more else {
                state = .established(established)
                return .none
            }
            let complete = Exports(unit: update.unit, services: established.updateParts)
            established.updateParts = []
            state = .established(established)
            return .deliver(.exportsUpdate(complete), from: peer)
        default:
            return closeAction(.unexpectedUnitMessage(unitMessage.type, state: "after the exports exchange"))
        }
    }

    /// The unit stopped reading the channel (backpressure): no keepalive runs until it reads again.
    public mutating func readingPaused() { readsPaused = true }

    /// The unit reads the channel again: silence counts from now.
    public mutating func readingResumed(now: NIODeadline) {
        readsPaused = false
        if peer != nil { lastHeard = now }
    }

    /// A frame that did not parse as OpenFlow.
    public mutating func receivedMalformed(_ error: WireError) -> [UnitChannelAction] {
        guard !isClosedOrIdle else { return [] }
        return close(.malformed(error))
    }

    /// The byte stream cannot be split into messages any more (a lying length).
    public mutating func framingFailed(_ error: WireError) -> [UnitChannelAction] {
        guard !isClosedOrIdle else { return [] }
        return close(.framingError(error))
    }

    /// A refusal from the route table: the channel closes.
    public mutating func refused(_ reason: String) -> [UnitChannelAction] {
        guard !isClosedOrIdle else { return [] }
        return close(.refusedRoutes(reason))
    }

    /// Periodic check: handshake deadline, keepalive, dead-channel detection.
    public mutating func tick(now: NIODeadline) -> [UnitChannelAction] {
        switch state {
        case .idle, .closed:
            return []
        case .handshaking(let handshake):
            return now - handshake.since >= configuration.handshakeTimeout ? close(.handshakeTimeout) : []
        case .established(var established):
            // While the unit holds the channel's reads, its silence is not the other unit's.
            guard !readsPaused else { return [] }
            let silence = now - lastHeard
            if silence >= configuration.echoTimeout { return close(.keepaliveTimeout) }
            guard now - established.lastEchoSent >= configuration.echoInterval, established.echoOutstandingSince == nil
            else { return [] }
            established.echoOutstandingSince = now
            established.lastEchoSent = now
            state = .established(established)
            return [.send(OpenFlowMessage(xid: nextXID(), .echoRequest(EchoRequest(payload: PeerClock.stamp(now)))))]
        }
    }

    /// The TCP connection closed, for whatever reason.
    public mutating func channelClosed() -> [UnitChannelAction] {
        let remote: UnitID? =
            switch state {
            case .established(let established): established.remote.uid
            case .closed(let remote): remote
            default: nil
            }
        state = .closed(remote: nil)
        return remote.map { [.channelDown($0)] } ?? []
    }

    // MARK: Helpers

    /// Answers an echo, and reads the other unit's clock from it.
    private mutating func answer(_ echo: EchoRequest, xid: UInt32, now: NIODeadline) -> UnitChannelAction {
        if let stamp = PeerClock.stamp(in: echo.payload) {
            let before = clock.offset
            clock.heard(stamp: stamp, at: now)
            if clock.offset != before { peer?.clock = clock.offset }
        }
        return .send(OpenFlowMessage(xid: xid, .echoReply(EchoReply(answering: echo))))
    }

    private mutating func finishHandshake(_ handshake: Handshake, now: NIODeadline) -> [UnitChannelAction] {
        guard let remote = handshake.remote, let relation = handshake.relation, handshake.exportsComplete else {
            state = .handshaking(handshake)
            return []
        }
        state = .established(Established(remote: remote, relation: relation, lastEchoSent: now))
        lastHeard = now
        return [.established(remote, relation, exports: handshake.exports)]
    }

    /// How the unit that introduced itself relates to us, or why it cannot.
    private func relation(of remote: UnitIdentity) -> Result<ChannelRelation, UnitChannelCloseReason> {
        let local = configuration.local
        guard remote.uid != local.uid else { return .failure(.claimsOurUID(local.uid)) }
        guard remote.tier >= 1 else { return .failure(.invalidTier(remote.tier)) }
        let relation = relationByTier(of: remote)
        guard case .success(let found) = relation, case .certified(let expected) = configuration.trust else {
            return relation
        }
        guard let certifiedUID else { return .failure(.uncertified) }
        guard certifiedUID == remote.uid else {
            return .failure(.certificateNamesAnotherUnit(certified: certifiedUID, claimed: remote.uid))
        }
        guard expected[remote.uid] == found else {
            return .failure(.unexpectedUnit(remote.uid, relation: found, configured: expected[remote.uid]))
        }
        return relation
    }

    /// How the tiers relate the two ends, given which end dialed.
    private func relationByTier(of remote: UnitIdentity) -> Result<ChannelRelation, UnitChannelCloseReason> {
        let local = configuration.local
        switch role {
        case .dialer(.upstream):
            return remote.tier > local.tier
                ? .success(.upstream)
                : .failure(.wrongTier(remote: remote.tier, local: local.tier, relation: "upstream"))
        case .dialer(.peer):
            return remote.tier == local.tier
                ? .success(.peer) : .failure(.wrongTier(remote: remote.tier, local: local.tier, relation: "peer"))
        case .dialer(.downstream):
            return .failure(
                .wrongTier(remote: remote.tier, local: local.tier, relation: "unit to dial (we never dial down)"))
        case .acceptor:
            if remote.tier < local.tier { return .success(.downstream) }
            if remote.tier == local.tier { return .success(.peer) }
            return .failure(
                .wrongTier(
                    remote: remote.tier, local: local.tier, relation: "client (a higher tier does not dial a lower one)"
                ))
        }
    }

    /// The unit message inside a vendor message, or why there is none.
    private func unitMessage(in message: OpenFlowMessage, state: String) -> Result<UnitMessage, UnitChannelCloseReason>
    {
        guard case .vendor(let vendor) = message.body else {
            return .failure(.unexpectedMessage(message.type, state: state))
        }
        do {
            return .success(try UnitMessage(parsing: vendor))
        } catch {
            return .failure(.malformed(error))
        }
    }

    private mutating func close(
        _ reason: UnitChannelCloseReason, sendingFirst message: OpenFlowMessage? = nil
    ) -> [UnitChannelAction] {
        [closeAction(reason, sendingFirst: message)]
    }

    private mutating func closeAction(
        _ reason: UnitChannelCloseReason, sendingFirst message: OpenFlowMessage? = nil
    ) -> UnitChannelAction {
        let remote: UnitID? = if case .established(let established) = state { established.remote.uid } else { nil }
        state = .closed(remote: remote)
        return .close(reason, sendingFirst: message)
    }

    private var isClosedOrIdle: Bool {
        switch state {
        case .idle, .closed: true
        default: false
        }
    }
}
