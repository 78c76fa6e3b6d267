import OpenFlow

/// What happened to the events of one service, at the unit that matched them (matched, split,
/// diverted, denied, timed out, bypassed, returns) or hosts it (served).
public struct ServiceDispatchCounters: Hashable, Sendable, Codable {
    public var matched = 0
    public var split = 0
    public var diverted = 0
    public var denied = 0
    public var timedOut = 0
    /// Answers that said the service could not be reached on the way up.
    public var unreachable = 0
    /// Events not sent because the service asked to BYPASS their device.
    public var bypassed = 0
    public var returns = 0
    /// Events this unit's copy of the service answered for units below.
    public var served = 0
    /// Events relayed towards it for units below.
    public var relayed = 0
    /// Events it was to get that could not be sent or could not wait (a table full): its timeout
    /// policy applied at once (fail-open: processed here as if allowed; fail-closed: dropped).
    public var shed = 0
    /// Events from units below that arrived past their deadline and were dropped unanswered.
    public var expired = 0

    public init() {}
}

/// The dispatcher's own counters.
public struct DispatchCounters: Hashable, Sendable, Codable {
    public var escalated = 0
    public var relayed = 0
    public var served = 0
    public var returnsReceived = 0
    public var returnsForwarded = 0
    public var resumed = 0
    public var filtersRejected = 0
    /// Events shed, over all services (`ServiceDispatchCounters.shed`).
    public var shed = 0
    /// Events from below dropped past their deadline, over all services (`ServiceDispatchCounters.expired`).
    public var expired = 0
    /// Commands from services above applied to this unit's domain, and relayed to a domain below.
    public var commandsApplied = 0
    public var commandsRelayed = 0
    /// Rejected inputs by reason (`DispatchRejection.kind`).
    public var rejected: [String: Int] = [:]

    public init() {}
}

/// Something a neighbour sent that the dispatcher refused, with enough to log why.
public enum DispatchRejection: Hashable, Sendable, CustomStringConvertible {
    case unknownTransaction(UInt32, sid: UInt32, from: UInt32)
    /// A return for a transaction that has ended: answered already, or timed out with its policy applied.
    case lateReturn(UInt32, sid: UInt32, from: UInt32)
    case wrongSender(UInt32, expected: UInt32, from: UInt32)
    case wrongService(UInt32, expected: UInt32, got: UInt32, from: UInt32)
    case unseenSwitch(UInt64, sid: UInt32, from: UInt32)
    case returnFlood(UInt32, sid: UInt32, from: UInt32)
    case unreachableService(UInt32, from: UInt32)
    case eventNotUnderstood(UInt32, sid: UInt32, from: UInt32)
    case filterRejected(String)
    case transactionTableFull(sid: UInt32)
    case parkedTableFull(sid: UInt32)
    case eventFromAbove(from: UInt32)
    case commandFromBelow(from: UInt32)
    /// A command for a service this unit does not reach through the unit that sent it.
    case commandOffRoute(sid: UInt32, from: UInt32, via: UInt32?)
    case commandForUnknownDomain(UInt32, sid: UInt32, from: UInt32)

    /// A short name, for counters.
    public var kind: String {
        switch self {
        case .unknownTransaction: "unknown_transaction"
        case .lateReturn: "late_return"
        case .wrongSender: "wrong_sender"
        case .wrongService: "wrong_service"
        case .unseenSwitch: "unseen_switch"
        case .returnFlood: "return_flood"
        case .unreachableService: "unreachable_service"
        case .eventNotUnderstood: "event_not_understood"
        case .filterRejected: "filter_rejected"
        case .transactionTableFull: "transaction_table_full"
        case .parkedTableFull: "parked_table_full"
        case .eventFromAbove: "event_from_above"
        case .commandFromBelow: "command_from_below"
        case .commandOffRoute: "command_off_route"
        case .commandForUnknownDomain: "command_for_unknown_domain"
        }
    }

    public var description: String {
        switch self {
        case .unknownTransaction(let txn, let sid, let from):
            "return from u\(from) for s\(sid): unknown transaction \(txn)"
        case .lateReturn(let txn, let sid, let from):
            "return from u\(from) for s\(sid) came late: transaction \(txn) had ended (answered, or timed out and its policy applied)"
        case .wrongSender(let txn, let expected, let from):
            "return for transaction \(txn) came from u\(from), but the event went to u\(expected)"
        case .wrongService(let txn, let expected, let got, let from):
            "return from u\(from) for transaction \(txn) names s\(got), but the event was for s\(expected)"
        case .unseenSwitch(let dpid, let sid, let from):
            "return from u\(from) for s\(sid) addresses switch \(DatapathID(rawValue: dpid)), which is not below the unit the event came from"
        case .returnFlood(let txn, let sid, let from):
            "u\(from) sent more returns for transaction \(txn) (s\(sid)) than one transaction may have"
        case .unreachableService(let sid, let from): "event from u\(from) for s\(sid): no route to that service"
        case .eventNotUnderstood(let txn, let sid, let from):
            "event \(txn) from u\(from) for s\(sid): its payload does not describe an event"
        case .filterRejected(let reason): "filter rejected: \(reason)"
        case .transactionTableFull(let sid): "event for s\(sid) not sent: the transaction table is full"
        case .parkedTableFull(let sid): "event for s\(sid) not parked: the table of waiting contexts is full"
        case .eventFromAbove(let from): "ECH_EVENT from u\(from), a unit above us: events only go up (or across peers)"
        case .commandFromBelow(let from):
            "ECH_COMMAND from u\(from), a unit below us: commands only go down (or across peers)"
        case .commandOffRoute(let sid, let from, let via):
            "command from u\(from) for s\(sid): "
                + (via.map { "this unit reaches that service through u\($0)" }
                    ?? "this unit has no route to that service")
        case .commandForUnknownDomain(let domain, let sid, let from):
            "command from u\(from) for s\(sid) addresses domain u\(domain), from which no event has come"
        }
    }
}
