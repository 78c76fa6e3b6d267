import NIOCore
import UnitProtocol

/// Settings of a unit channel: who we are and its timers.
public struct UnitChannelConfiguration: Hashable, Sendable {
    public var local: UnitIdentity
    /// Silence before we send an ECHO_REQUEST.
    public var echoInterval: TimeAmount
    /// Silence after which the channel is declared dead.
    public var echoTimeout: TimeAmount
    /// Time from connect to the end of the exports exchange.
    public var handshakeTimeout: TimeAmount
    /// Services one neighbour may export (in its handshake, or in one update); a neighbour that
    /// exports more is refused, so that no neighbour can make this unit's tables grow without bound.
    public var maximumServices: Int
    /// Whom the channel believes about who the other unit is.
    public var trust: UnitChannelTrust

    public init(
        local: UnitIdentity, echoInterval: TimeAmount = .milliseconds(250),
        echoTimeout: TimeAmount = .milliseconds(750), handshakeTimeout: TimeAmount = .seconds(5),
        maximumServices: Int = 10_000, trust: UnitChannelTrust = .claimed
    ) {
        self.maximumServices = maximumServices
        self.trust = trust
        self.local = local
        self.echoInterval = echoInterval
        self.echoTimeout = echoTimeout
        self.handshakeTimeout = handshakeTimeout
    }
}

/// Which end of a unit channel we are, and, for the end that dialed, what the configuration
/// says the other unit is.
public enum UnitChannelRole: Hashable, Sendable {
    /// We dialed a unit listed in our topology as upstream or peer.
    case dialer(ChannelRelation)
    /// The other unit dialed us; its tier tells the relation.
    case acceptor
}

/// What makes a unit channel believe the UID the other unit claims in its handshake.
public enum UnitChannelTrust: Hashable, Sendable {
    /// Plain TCP, for a lab: a unit is whoever it says it is.
    case claimed
    /// Mutual TLS: the other unit must have proved, with a certificate of the control plane's
    /// CA (`UnitChannelStateMachine.certified(as:)`), the UID it claims, and be one of the
    /// units the configuration names, in the relation it names it in.
    case certified(expected: [UnitID: ChannelRelation])
}
