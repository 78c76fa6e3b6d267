import OpenFlow
import UnitProtocol

/// The unit at the other end of an established channel, and how it relates to this one.
public struct UnitChannelPeer: Hashable, Sendable {
    public var uid: UnitID
    public var relation: ChannelRelation
    /// How its clock relates to ours, once its echoes have shown it: the deadlines of the
    /// events it sends are read through it.
    public var clock: ClockOffset?

    public init(uid: UnitID, relation: ChannelRelation, clock: ClockOffset? = nil) {
        self.uid = uid
        self.relation = relation
        self.clock = clock
    }
}

/// What the channel handler must do after the unit channel state machine took an input.
public enum UnitChannelAction: Hashable, Sendable {
    case none
    case send(OpenFlowMessage)
    /// The other unit asked for our exports: send what that unit may see, by its relation and
    /// split horizon (`Exports.parts`), with this xid.
    case sendExports(xid: UInt32, to: UnitID, relation: ChannelRelation)
    /// Both sides know each other and have each other's exports: the channel is up.
    case established(UnitIdentity, ChannelRelation, exports: [ExportedService])
    /// A unit message for this unit (events, returns, routes, a whole exports update), from
    /// the unit at the other end.
    case deliver(UnitMessage, from: UnitChannelPeer)
    /// Send `message` if there is one, then close the channel.
    case close(UnitChannelCloseReason, sendingFirst: OpenFlowMessage?)
    /// The established channel to this unit is gone.
    case channelDown(UnitID)
}

/// Why a unit channel was closed, for the log line that says so.
public enum UnitChannelCloseReason: Error, Hashable, Sendable, CustomStringConvertible {
    case expectedHello(got: MessageType)
    case incompatibleVersion(UInt8)
    case unexpectedMessage(MessageType, state: String)
    case malformed(WireError)
    case framingError(WireError)
    case unexpectedUnitMessage(UnitMessageType, state: String)
    case claimsOurUID(UnitID)
    case wrongTier(remote: UInt8, local: UInt8, relation: String)
    case handshakeTimeout
    case keepaliveTimeout
    case refusedRoutes(String)
    case tooManyServices(limit: Int)
    case invalidTier(UInt8)
    case uncertified
    case certificateNamesAnotherUnit(certified: UnitID, claimed: UnitID)
    case unexpectedUnit(UnitID, relation: ChannelRelation, configured: ChannelRelation?)

    public var description: String {
        switch self {
        case .expectedHello(let type): "handshake: expected OFPT_HELLO first, got \(type)"
        case .incompatibleVersion(let version):
            "version negotiation failed: the unit speaks 0x\(String(version, radix: 16)), we speak OpenFlow 1.0 (0x01)"
        case .unexpectedMessage(let type, let state): "\(type) has no meaning on a unit channel (\(state))"
        case .malformed(let error): "malformed unit message: \(error)"
        case .framingError(let error): "unrecoverable framing error: \(error)"
        case .unexpectedUnitMessage(let type, let state): "\(type) out of place (\(state))"
        case .claimsOurUID(let uid): "the other unit claims our own UID \(uid)"
        case .wrongTier(let remote, let local, let relation):
            "the other unit is at tier \(remote), we are at tier \(local): not a valid \(relation)"
        case .handshakeTimeout: "the exports exchange did not complete in time"
        case .keepaliveTimeout: "no message or echo reply within the keepalive timeout"
        case .refusedRoutes(let reason): reason
        case .tooManyServices(let limit):
            "the other unit exports more than \(limit) services (units.maximumServices)"
        case .invalidTier(let tier): "the other unit claims tier \(tier): tiers start at 1"
        case .uncertified: "the other unit proved no identity with a certificate (units.tls)"
        case .certificateNamesAnotherUnit(let certified, let claimed):
            "the other unit claims UID \(claimed), but its certificate names unit \(certified)"
        case .unexpectedUnit(let uid, let relation, let configured?):
            "unit \(uid) is configured as \(configured) (\(Self.list(of: configured))), not as \(relation)"
        case .unexpectedUnit(let uid, let relation, nil):
            "unit \(uid) is not among the units this unit's configuration names as \(relation) (\(Self.list(of: relation)))"
        }
    }

    /// Where a unit's configuration lists the units in `relation` to it.
    private static func list(of relation: ChannelRelation) -> String {
        switch relation {
        case .upstream: "units.upstream"
        case .peer: "units.peers"
        case .downstream: "units.downstream"
        }
    }
}
