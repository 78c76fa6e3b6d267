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

    public init(
        echoInterval: TimeAmount = .seconds(5), echoTimeout: TimeAmount = .seconds(15),
        handshakeTimeout: TimeAmount = .seconds(10), missSendLength: UInt16 = 0xffff,
        errorBudget: Int = 16, errorWindow: TimeAmount = .seconds(10)
    ) {
        self.echoInterval = echoInterval
        self.echoTimeout = echoTimeout
        self.handshakeTimeout = handshakeTimeout
        self.missSendLength = missSendLength
        self.errorBudget = errorBudget
        self.errorWindow = errorWindow
    }
}
