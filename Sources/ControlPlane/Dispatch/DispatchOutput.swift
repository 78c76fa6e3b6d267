import NIOCore
import OpenFlow
import UnitProtocol

/// Everything one call into the `EventDispatcher` produced. The caller owns one and passes it
/// to every call (`into:`), which clears it first: its lists keep their storage from call to
/// call, so dispatching an event allocates none. Which parts a call fills is said at the call;
/// the caller sends `sends`, hands on `serve` or `delivery`, acts on `stage`, and then performs
/// `actions` in order.
public struct DispatchOutput: Sendable {
    /// Unit messages to send, parked events to resume, refusals to log, in order.
    public internal(set) var actions: [DispatchAction] = []
    /// The event being escalated, to send up once per transaction (`escalate`). The caller
    /// writes each copy from the event it holds.
    public internal(set) var sends: [EventSend] = []
    /// An event from a unit below for a service hosted here, to serve and answer (`received`
    /// of an event).
    public var serve: ServeRequest?
    /// Messages of a return for this unit's switches, to forward before the actions are
    /// performed (`received` of a return).
    public var delivery: SwitchDelivery?
    /// What becomes of the escalated event at this unit (`escalate`).
    public internal(set) var stage = StageOutcome.continueLocally

    public init() {}

    /// Empties it for the next call, keeping the lists' storage.
    mutating func clear() {
        // Each part is written only when it holds something: most calls fill one part, and
        // emptying an empty list or optional still costs a call each.
        if !actions.isEmpty { actions.removeAll(keepingCapacity: true) }
        if !sends.isEmpty { sends.removeAll(keepingCapacity: true) }
        if serve != nil { serve = nil }
        if delivery != nil { delivery = nil }
        stage = .continueLocally
    }

    /// Takes the actions out, leaving an empty list that keeps its storage once they are put
    /// back (`restore`): performing them may call the dispatcher again.
    public mutating func takeActions() -> [DispatchAction] {
        var taken: [DispatchAction] = []
        swap(&taken, &actions)
        return taken
    }

    /// Gives back the storage of a list `takeActions` returned, once performed, unless a call
    /// made meanwhile has started a list of its own.
    public mutating func restore(_ performed: inout [DispatchAction]) {
        performed.removeAll(keepingCapacity: true)
        if actions.isEmpty { swap(&performed, &actions) }
    }

    mutating func reject(_ rejection: DispatchRejection) {
        actions.append(.rejected(rejection))
    }
}

/// What the unit must do, in order, after a call into the dispatcher.
public enum DispatchAction: Sendable {
    case sendToUnit(UnitMessage, UnitID)
    /// A DIVERTed event local services go on with: its answers are in (or it timed out fail-open).
    case resume(ParkedEvent)
    /// Already counted; for the log.
    case rejected(DispatchRejection)
}

/// An event a unit below sent for a service hosted here: the unit runs the service on it and
/// answers. Kept apart from the actions so that the event is not copied into a list and out.
public struct ServeRequest: Sendable {
    public var event: NetworkEvent
    public var sid: ServiceID
    public var transaction: UInt32
    public var unit: UnitID
    /// The domain (tier-1 unit) whose switch the event is from.
    public var domain: UnitID
    /// Whether the event's own switch is below `unit` now (it is, unless the event says it
    /// left): most answers go to it, and this saves looking it up again.
    public var askedIsBelow: Bool
}

/// The event being escalated, sent up to a service under this transaction. Kept apart from the
/// actions: an action is as large as its largest case, and every event that goes up has one.
public struct EventSend: Sendable {
    public var transaction: UInt32
    public var sid: ServiceID
    public var unit: UnitID
    /// When this unit stops waiting for the answer: the event carries it up.
    public var deadline: NIODeadline
}

/// The messages of a return for this unit's switches, forwarded as their checked bytes, in
/// order: the list is passed on as it came when every message in it may be delivered (the usual
/// case). `xid` is the switch's own for answers to its PACKET_IN; nil lets the channel choose.
public struct SwitchDelivery: Sendable {
    public var messages: EventReturn.SwitchMessageList
    public var xid: UInt32?
}

/// What happens to an event locally once the dispatcher's stage has run.
public enum StageOutcome: Hashable, Sendable {
    case continueLocally
    /// Processing ends; with a drop flow for a PACKET_IN when the consensus was DENY.
    case stop(installDropFlow: Bool)
    /// The event waits for its answers.
    case parked
}

/// Where an event stands in this unit's chain of local services when the dispatcher's stage
/// is reached: what a parked context keeps so that the chain can go on from there.
public struct ChainProgress: Sendable {
    /// The index in the chain of the first service after the stage.
    public var position: Int
    /// What the services before the stage added to the event's context.
    public var attributes: [String: String]
    /// Whether a local service goes on with the event: a parked event keeps its value only then.
    public var resumable: Bool

    public init(position: Int, attributes: [String: String], resumable: Bool) {
        self.position = position
        self.attributes = attributes
        self.resumable = resumable
    }
}
