import NIOCore

/// Timers and limits of one switch channel.
public struct SwitchConnectionConfiguration: Hashable, Sendable {
    /// Silence after which we send an ECHO_REQUEST.
    public var echoInterval: TimeAmount
    /// Silence after which the switch is declared dead and the channel closed.
    public var echoTimeout: TimeAmount
    /// Time allowed from connection to FEATURES_REPLY.
    public var handshakeTimeout: TimeAmount
    /// Bytes of a table-miss packet the switch should send (SET_CONFIG miss_send_len).
    public var missSendLength: UInt16
    /// Malformed or unsupported messages tolerated per `errorWindow` before disconnecting.
    public var errorBudget: Int
    public var errorWindow: TimeAmount
    /// How long a switch has to answer the echo it is sent when another connection claims its
    /// DPID; silent that long, its channel is taken for a dead one and closed.
    public var challengeTimeout: TimeAmount

    public init(
        echoInterval: TimeAmount = .seconds(5), echoTimeout: TimeAmount = .seconds(15),
        handshakeTimeout: TimeAmount = .seconds(10), missSendLength: UInt16 = 0xffff,
        errorBudget: Int = 16, errorWindow: TimeAmount = .seconds(10), challengeTimeout: TimeAmount = .seconds(2)
    ) {
        self.echoInterval = echoInterval
        self.echoTimeout = echoTimeout
        self.handshakeTimeout = handshakeTimeout
        self.missSendLength = missSendLength
        self.errorBudget = errorBudget
        self.errorWindow = errorWindow
        self.challengeTimeout = challengeTimeout
    }
}
