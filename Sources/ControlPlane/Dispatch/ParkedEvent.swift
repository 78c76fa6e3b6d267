import OpenFlow
import UnitProtocol

/// A DIVERTed event waiting for its answers: where its local processing stopped, and what it
/// has gathered so far.
public struct ParkedEvent: Sendable {
    /// The event, for the local services that go on with it; nil when no local service wants
    /// its category (a unit that only relays it). A parked PACKET_IN would otherwise hold its
    /// bytes, and with them the buffer its channel read them into, until the answer came.
    public var event: NetworkEvent? { kept?.event }
    /// Boxed: an event is a hundred bytes, which every move of a parked context (into its slot,
    /// out of it, into a resume action) would copy, though a relay keeps none.
    private let kept: KeptEvent?
    public var category: EventCategory
    public var datapathID: DatapathID
    /// The position in the event's process chain where processing resumes.
    public var position: Int
    public var attributes: [String: String]
    /// The services it waits for, each with the transaction its answer comes back on.
    public var answers: AwaitedAnswers
    /// An answer said stop (or an unreachable fail-closed service): it will not resume.
    public var stopped = false

    public init(
        _ event: NetworkEvent, keepingEvent: Bool, position: Int, attributes: [String: String], answers: AwaitedAnswers
    ) {
        self.kept = keepingEvent ? KeptEvent(event) : nil
        self.category = event.category
        self.datapathID = event.datapathID
        self.position = position
        self.attributes = attributes
        self.answers = answers
    }

    /// How many of its services have not given their final answer yet.
    public var awaitingCount: Int { answers.count { !$0.arrived } }
}

private final class KeptEvent: Sendable {
    let event: NetworkEvent
    init(_ event: NetworkEvent) { self.event = event }
}

/// One DIVERT service a parked event waits for.
public struct AwaitedAnswer: Sendable {
    public var transaction: UInt32
    public var sid: ServiceID
    public var arrived = false

    public init(transaction: UInt32, sid: ServiceID, arrived: Bool = false) {
        self.transaction = transaction
        self.sid = sid
        self.arrived = arrived
    }
}

/// The DIVERT services a parked event waits for. Nearly every event waits for one: that one is
/// kept inline, so that parking it allocates no list.
public struct AwaitedAnswers: RandomAccessCollection, MutableCollection, Sendable {
    private var head: AwaitedAnswer?
    private var tail: [AwaitedAnswer] = []

    public init() {}

    public var startIndex: Int { 0 }
    public var endIndex: Int { head == nil ? 0 : 1 + tail.count }

    public subscript(position: Int) -> AwaitedAnswer {
        get {
            guard position > 0 else {
                guard let head else { preconditionFailure("AwaitedAnswers index \(position) out of range") }
                return head
            }
            return tail[position - 1]
        }
        set {
            if position == 0 {
                precondition(head != nil, "AwaitedAnswers index 0 out of range")
                head = newValue
            } else {
                tail[position - 1] = newValue
            }
        }
    }

    public mutating func append(_ answer: AwaitedAnswer) {
        if head == nil { head = answer } else { tail.append(answer) }
    }
}
