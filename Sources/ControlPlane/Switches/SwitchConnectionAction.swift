import NIOCore
import OpenFlow

/// What the channel handler must do after the switch connection state machine took an input.
public enum SwitchConnectionAction: Hashable, Sendable {
    case none
    case send(OpenFlowMessage)
    /// The handshake finished: register the switch, then send these configuration messages.
    case handshakeComplete(SwitchDescription, send: [OpenFlowMessage])
    /// A message for the unit to process (PACKET_IN, PORT_STATUS, FLOW_REMOVED, replies, ...).
    case deliver(OpenFlowMessage)
    /// Send `message` if there is one, then close the channel.
    case close(SwitchCloseReason, sendingFirst: OpenFlowMessage?)
    /// The channel is gone; the switch it carried must be removed.
    case switchRemoved(DatapathID)
}

/// Why a switch channel was closed, for the log line that says so.
public enum SwitchCloseReason: Hashable, Sendable, CustomStringConvertible {
    case incompatibleVersion(UInt8)
    case expectedHello(got: MessageType)
    case handshakeTimeout
    case keepaliveTimeout
    case framingError(WireError)
    case tooManyErrors(Int)
    /// Another connection claimed the switch's DPID, and the switch did not answer the echo
    /// sent to it then.
    case unansweredChallenge(TimeAmount)

    public var description: String {
        switch self {
        case .incompatibleVersion(let version):
            return
                "version negotiation failed: the switch speaks 0x\(String(version, radix: 16)), we speak OpenFlow 1.0 (0x01)"
        case .expectedHello(let type): return "handshake: expected OFPT_HELLO first, got \(type)"
        case .handshakeTimeout: return "handshake did not complete in time"
        case .keepaliveTimeout: return "no message or echo reply within the keepalive timeout"
        case .framingError(let error): return "unrecoverable framing error: \(error)"
        case .tooManyErrors(let count): return "\(count) malformed or unsupported messages within the error window"
        case .unansweredChallenge(let timeout):
            return
                "another connection claimed this switch's DPID, and the switch did not answer an echo within \(timeout.nanoseconds / 1_000_000) ms: taken for a dead connection"
        }
    }
}
