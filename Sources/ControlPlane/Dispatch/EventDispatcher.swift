import NIOCore
import OpenFlow
import UnitProtocol

/// The dispatcher: the part of a unit that passes network events between its own switches and
/// the services of other units. Pure: no sockets, no clock (time is passed in). Every call
/// fills a `DispatchOutput` the caller owns and reuses.
///
/// An event's life:
/// 1. **Matched.** An event of this unit's switches is matched against the filters of the
///    services above (`plan`). Nil, the usual answer, leaves it to the local services alone.
///    Otherwise the plan names the services it goes to, their consensus (ALLOW < DENY|SPLIT <
///    DIVERT; DENY with SPLIT makes DIVERT) and the priority at which the stage runs among the
///    local services, which run up to that point first.
/// 2. **Escalated.** `escalate` issues a transaction per SPLIT or DIVERT service: the XID
///    translation table maps it to where the event came from (the switch, and the xid of its
///    PACKET_IN) and where it went (the service, the next hop). The output's `sends` carry the
///    copies to write; its `stage` says what happens here: go on (ALLOW, SPLIT), stop (DENY, with
///    a drop flow), or wait (DIVERT).
/// 3. **Waiting**, in one of two ways. A DIVERTed event that nothing here goes on with, sent to
///    a single service (the case of a unit that only relays), waits in its transaction: the
///    translation entry carries a `TransactionWait` with the category, policy and deadline, and
///    no context is kept. Any other DIVERTed event is parked: `ParkedContexts` keeps its context
///    (the event, its position in the chain, the attributes so far, the answers awaited) under
///    a key its transactions name.
/// 4. **Answered.** A return from above (`received` of a return) is checked (the unit it was
///    sent to, the service, a budget of returns per transaction), its messages for this unit's
///    switches are handed back as a `delivery` with the switch's own xid, its BYPASS list is
///    recorded, and its context entries are added to the parked context. When the last awaited
///    service has given its final answer, the parked event resumes where it stopped (a
///    `.resume` action), unless an answer said STOP; a transaction wait simply ends.
/// 5. **Timed out.** `tick` releases what waited past its deadline under its policy: fail-open
///    resumes (or ends the wait as allowed), fail-closed drops. Transactions past their lifetime
///    are forgotten, so a late answer is an unknown transaction.
///
/// Events from units below take the same path one level up: `received` of an event relays it
/// towards its service under a new transaction (mapped to the unit below and its transaction),
/// answers it as unreachable, or hands it back as `serve` for a service hosted here. Returns
/// for a relayed event go back down with the original transaction, and only with messages for
/// switches that unit has shown to be below it (topology transparency).
public struct EventDispatcher: Sendable {
    public let domain: UnitID
    public let settings: DispatchSettings
    public private(set) var filters = FilterTable()
    public private(set) var remote: [ServiceID: RemoteService] = [:]
    /// Services that DIVERT and fail closed whose route is gone: their filters stay, and the
    /// events they select meet their policy at once (dropped), until a route returns. A unit
    /// above that dies must not open the door it kept (an authenticator's).
    public private(set) var unreachable: Set<ServiceID> = []
    /// The same services in the form matching uses.
    private var targets: [ServiceID: DispatchTarget] = [:]
    /// The services hosted here, with where their counters are.
    private let hostedCounters: [ServiceID: Int]
    public private(set) var counters = DispatchCounters()
    /// How long this unit's DIVERTed events waited for their final answers.
    public private(set) var roundTrips = RoundTripCounts()
    private var perService = ServiceCounterTable()
    /// Devices whose events a service asked not to be sent (BYPASS), by MAC.
    public private(set) var bypass: [MACAddress: Set<ServiceID>] = [:]
    /// Switches below this unit's downstream neighbours, from the events they sent (topology
    /// transparency): a return may only address a switch below the unit its event came from.
    public private(set) var switchesBelow: [DatapathID: UnitID] = [:]
    /// The neighbour below through which each domain's events came: where a command for that
    /// domain goes down.
    public private(set) var domainsBelow: [UnitID: UnitID] = [:]
    public private(set) var parked: ParkedContexts<ParkedEvent>
    private var transactions: XIDTranslationTable
    /// Kept between events so that planning one allocates no lists: the services its filters
    /// matched, and the targets of the last plan (unshared again once that plan is done).
    private var matched: [ServiceID] = []
    private var planned: [DispatchTarget] = []

    public init(domain: UnitID, hosted: Set<ServiceID> = [], settings: DispatchSettings = DispatchSettings()) {
        self.domain = domain
        var perService = ServiceCounterTable()
        self.hostedCounters = Dictionary(uniqueKeysWithValues: hosted.sorted().map { ($0, perService.index(for: $0)) })
        self.perService = perService
        self.settings = settings
        self.parked = ParkedContexts(capacity: settings.parkedCapacity)
        self.transactions = XIDTranslationTable(capacity: settings.transactionCapacity)
    }

    public var openTransactions: Int { transactions.count }

    /// Transactions still open for events from this input, as backpressure counts them: a
    /// switch's; a unit below has no window of its own, and counts none.
    public func openTransactions(from input: EventOrigin) -> Int {
        guard case .switchChannel(let datapathID) = input else { return 0 }
        return transactions.openCount(from: datapathID)
    }

    public var hosted: Set<ServiceID> { Set(hostedCounters.keys) }

    /// What happened to each service's events here (those something has happened to).
    public var serviceCounters: [ServiceID: ServiceDispatchCounters] { perService.bySID }

    // MARK: Filters

    /// Installs the filters of the services above as they are now. A service whose rules do
    /// not compile is left out (and reported); the others are installed. Returns the services
    /// new to the table that want switch events, so the caller can show them the switches
    /// already connected.
    public mutating func install(
        _ services: [RemoteService]
    ) -> (rejected: [FilterRuleError], newSwitchSubscribers: [RemoteService]) {
        let wanted = Dictionary(services.map { ($0.sid, $0) }, uniquingKeysWith: { first, _ in first })
        for (sid, service) in remote where wanted[sid] == nil {
            if service.definition.action == .divert && service.definition.timeoutPolicy == .failClosed {
                unreachable.insert(sid)
                continue
            }
            filters.remove(sid)
            remote[sid] = nil
            targets[sid] = nil
        }
        for sid in wanted.keys { unreachable.remove(sid) }
        var rejected: [FilterRuleError] = []
        var newcomers: [RemoteService] = []
        for service in services.sorted(by: { $0.sid < $1.sid }) {
            let previous = remote[service.sid]
            if previous?.definition != service.definition {
                do {
                    try filters.install(service.filterRules, for: service.sid)
                } catch {
                    rejected.append(error)
                    counters.filtersRejected += 1
                    filters.remove(service.sid)
                    remote[service.sid] = nil
                    targets[service.sid] = nil
                    continue
                }
            }
            remote[service.sid] = service
            let target = service.target(counters: perService.index(for: service.sid))
            targets[service.sid] = target
            // A new service that follows switches or links is shown those already there.
            if previous == nil, target.accepts(.switchAdded) || target.accepts(.linkAdded) {
                newcomers.append(service)
            }
        }
        return (rejected, newcomers)
    }

    // MARK: Events of this unit

    /// The plan for an event of this unit: which services above get it, what the consensus of
    /// their actions is, and the priority at which that stage runs among local services. Nil
    /// when no service above wants it (the common case, checked first).
    public struct Plan: Sendable {
        public var action: ProcessChainAction
        public var targets: [DispatchTarget]
        public var stage: Int
    }

    public mutating func plan(_ event: NetworkEvent) -> Plan? {
        guard !remote.isEmpty else { return nil }
        filters.matches(FilterSubject(event), into: &matched)
        guard !matched.isEmpty else { return nil }
        let category = event.category
        let device = bypass.isEmpty ? nil : event.deviceMAC
        var found: [DispatchTarget] = []
        swap(&found, &planned)
        found.removeAll(keepingCapacity: true)
        defer { planned = found }
        for sid in matched {
            guard let service = targets[sid], service.accepts(category) else { continue }
            if let device, bypass[device]?.contains(sid) == true {
                perService[service.counters].bypassed += 1
                continue
            }
            perService[service.counters].matched += 1
            found.append(service)
        }
        guard let stage = found.lazy.map(\.priority).max() else { return nil }
        return Plan(action: ProcessChainConsensus.combine(found.lazy.map(\.action)), targets: found, stage: stage)
    }

    /// The plan for asking one service above about an event (`ServiceVerdict.ask`): a DIVERT to
    /// it alone, whatever its filter says; nil when there is no route to it.
    public mutating func plan(asking sid: ServiceID) -> Plan? {
        guard var target = targets[sid], !unreachable.contains(sid) else { return nil }
        target.action = .divert
        perService[target.counters].matched += 1
        return Plan(action: .divert, targets: [target], stage: target.priority)
    }

    /// Runs the dispatcher's stage for an event of this unit, which reached it at `progress` in
    /// its chain. Fills the output's `sends` (the copies to send up), `stage` (what becomes of
    /// the event here) and `actions` (refusals).
    public mutating func escalate(
        _ event: NetworkEvent, plan: Plan, progress: ChainProgress, now: NIODeadline,
        into output: inout DispatchOutput
    ) {
        output.clear()
        output.stage = escalate(event, plan: plan, progress: progress, now: now, output: &output)
    }

    private mutating func escalate(
        _ event: NetworkEvent, plan: Plan, progress: ChainProgress, now: NIODeadline,
        output: inout DispatchOutput
    ) -> StageOutcome {
        let resumable = progress.resumable
        // Built as the events go up, it becomes the parked context's (one inline answer for the
        // usual single DIVERT: no list is allocated).
        var waiting = AwaitedAnswers()
        // The shortest timeout and, if any waiting service fails closed, fail-closed: a service
        // that must see the event before it is forwarded is never skipped.
        var timeout = settings.transactionLifetime
        var policy = TimeoutPolicy.failOpen
        // An event nothing here goes on with, DIVERTed to one service, waits in its transaction
        // (`TransactionWait`); any other DIVERTed event is parked under the key known before its
        // DIVERTs are issued, so that each transaction names its context as it is made (nil: the
        // table is full, or no DIVERT).
        let transactionWait =
            !resumable && plan.action == .divert && plan.targets.count == 1
            ? TransactionWait(
                category: event.category, policy: plan.targets[0].policy,
                deadline: answerDeadline(for: plan.targets[0], now: now))
            : nil
        let contextKey = plan.action == .divert && transactionWait == nil ? parked.nextKey : nil
        for service in plan.targets {
            switch service.action {
            case .allow:
                continue
            case .deny:
                perService[service.counters].denied += 1
                continue
            case .split, .divert:
                break
            }
            if !unreachable.isEmpty, unreachable.contains(service.sid) {
                // No route to it: nothing is sent, and its policy applies below.
                perService[service.counters].unreachable += 1
                continue
            }
            guard
                let transaction = issue(
                    for: .switchChannel(event.datapathID), originalXID: event.switchXID ?? 0, service: service,
                    switchXID: event.switchXID,
                    context: service.action == .divert ? contextKey : nil, wait: parked.isFull ? nil : transactionWait,
                    now: now, output: &output)
            else {
                shed(service)
                continue
            }
            counters.escalated += 1
            output.sends.append(
                EventSend(
                    transaction: transaction, sid: service.sid, unit: service.nextHop,
                    deadline: answerDeadline(for: service, now: now)))
            if service.action == .divert {
                perService[service.counters].diverted += 1
                waiting.append(AwaitedAnswer(transaction: transaction, sid: service.sid))
                timeout = min(timeout, service.timeout)
                if service.policy == .failClosed { policy = .failClosed }
            } else {
                perService[service.counters].split += 1
            }
        }
        switch plan.action {
        case .allow, .split:
            return .continueLocally
        case .deny:
            return .stop(installDropFlow: true)
        case .divert:
            guard let first = waiting.first else {
                let diverting = plan.targets.filter { $0.action == .divert }
                // DENY with SPLIT: the copies are sent, and the event goes no further here.
                guard !diverting.isEmpty else { return .stop(installDropFlow: false) }
                // No DIVERT could be sent (the transaction table is full, and says so): their
                // policy applies now, as it would have at their timeout.
                return diverting.contains { $0.policy == .failClosed }
                    ? .stop(installDropFlow: false) : .continueLocally
            }
            if transactionWait != nil {
                guard parked.admitWait() else {
                    for service in plan.targets where service.action == .divert { shed(service) }
                    reject(.parkedTableFull(sid: first.sid.rawValue), &output)
                    return policy == .failOpen ? .continueLocally : .stop(installDropFlow: false)
                }
                return .parked
            }
            let context = ParkedEvent(
                event, keepingEvent: resumable, position: progress.position, attributes: progress.attributes,
                answers: waiting)
            let key = parked.park(
                context, transaction: first.transaction, sid: first.sid, policy: policy, timeout: timeout, now: now)
            // `park` stores under `nextKey` (nil only when full, and then it refuses): the
            // transactions already name the context's key.
            assert(key == contextKey, "a context parked under another key than the one its transactions name")
            guard key != nil else {
                for service in plan.targets where service.action == .divert { shed(service) }
                reject(.parkedTableFull(sid: first.sid.rawValue), &output)
                return policy == .failOpen ? .continueLocally : .stop(installDropFlow: false)
            }
            return .parked
        }
    }

    /// Sends a service that has just become reachable the events that describe what was there
    /// before it (switch-added for each switch, link-added for each link), each one its filter
    /// selects: topology transparency.
    /// Fills the output's `actions`.
    public mutating func announce(
        _ events: [NetworkEvent], to service: RemoteService, now: NIODeadline,
        into output: inout DispatchOutput
    ) {
        output.clear()
        // The installed target: it knows where the service's counters are.
        guard let target = targets[service.sid], !unreachable.contains(service.sid) else { return }
        for event in events {
            // Only what its filter selects (its rules may name some DPIDs, or none).
            guard filters.matches(FilterSubject(event)).contains(service.sid) else { continue }
            guard
                let transaction = issue(
                    for: .switchChannel(event.datapathID), originalXID: 0, service: target, now: now,
                    output: &output)
            else {
                continue
            }
            counters.escalated += 1
            let escalated = event.escalated(
                transaction: transaction, sid: service.sid, domain: domain,
                deadline: answerDeadline(for: target, now: now))
            output.actions.append(.sendToUnit(.event(escalated), target.nextHop))
        }
    }

    /// A device left this unit: every BYPASS for it ends.
    public mutating func deviceLeft(_ mac: MACAddress) {
        bypass[mac] = nil
    }

    // MARK: Events from units below

    /// An event from a unit below: relayed towards its service, answered as unreachable, or,
    /// for a service hosted here, handed back to be served; dropped unanswered when its
    /// deadline, read through the sender's `clock`, has passed (the unit below has applied the
    /// service's policy already, and would only count the answer as late). Without a clock its
    /// deadline cannot be read, and it is served. Fills the output's `serve` or `actions`.
    public mutating func received(
        _ event: EscalatedEvent, from unit: UnitID, clock: ClockOffset?, now: NIODeadline,
        into output: inout DispatchOutput
    ) {
        output.clear()
        output.serve = received(event, from: unit, deadline: clock?.local(event.deadline), now: now, output: &output)
    }

    private mutating func received(
        _ event: EscalatedEvent, from unit: UnitID, deadline: NIODeadline?, now: NIODeadline,
        output: inout DispatchOutput
    ) -> ServeRequest? {
        if event.category == .switchRemoved {
            if switchesBelow[event.datapathID] == unit { switchesBelow[event.datapathID] = nil }
        } else if switchesBelow[event.datapathID] != unit {
            // Written only when it changes: nearly every event comes from a switch already known.
            switchesBelow[event.datapathID] = unit
            domainsBelow[event.domain] = unit
        }
        if let deadline, deadline <= now, let index = hostedCounters[event.sid] ?? targets[event.sid]?.counters {
            expired(counters: index)
            return nil
        }
        if let hostedCounter = hostedCounters[event.sid] {
            guard let networkEvent = NetworkEvent(event) else {
                reject(.eventNotUnderstood(event.transaction, sid: event.sid.rawValue, from: unit.rawValue), &output)
                return nil
            }
            counters.served += 1
            perService[hostedCounter].served += 1
            return ServeRequest(
                event: networkEvent, sid: event.sid, transaction: event.transaction, unit: unit, domain: event.domain,
                askedIsBelow: event.category != .switchRemoved)
        }
        guard let service = targets[event.sid], unreachable.isEmpty || !unreachable.contains(event.sid) else {
            reject(.unreachableService(event.sid.rawValue, from: unit.rawValue), &output)
            output.actions.append(
                .sendToUnit(
                    .eventReturn(EventReturn(transaction: event.transaction, sid: event.sid, verdict: .unreachable)),
                    unit))
            return nil
        }
        guard
            let transaction = issue(
                for: .unit(unit), originalXID: event.transaction, service: service, now: now, output: &output)
        else {
            output.actions.append(
                .sendToUnit(
                    .eventReturn(EventReturn(transaction: event.transaction, sid: event.sid, verdict: .unreachable)),
                    unit))
            return nil
        }
        var relayed = event
        relayed.transaction = transaction
        // Written in this unit's clock, which the unit above reads through its own estimate.
        let ours = answerDeadline(for: service, now: now)
        relayed.deadline = min(deadline ?? ours, ours).uptimeNanoseconds
        counters.relayed += 1
        perService[service.counters].relayed += 1
        output.actions.append(.sendToUnit(.event(relayed), service.nextHop))
        return nil
    }

    /// A unit below is gone: the switches below it are no longer visible.
    @discardableResult
    public mutating func downstreamGone(_ unit: UnitID) -> [DatapathID] {
        let gone = switchesBelow.filter { $0.value == unit }.map(\.key).sorted()
        for dpid in gone { switchesBelow[dpid] = nil }
        domainsBelow = domainsBelow.filter { $0.value != unit }
        return gone
    }

    // MARK: Commands from above

    /// A command a service above gives a domain, sent by `unit`. It is taken only from the
    /// neighbour this unit's route to the service goes through. For this unit's own domain its
    /// messages for this unit's switches are handed back as a `delivery` and its withdrawals end
    /// the devices' BYPASS for the service; the devices withdrawn are returned, for what else the
    /// unit learned from the service, and apart those whose BYPASS this ended. For a domain
    /// below, it goes down to the neighbour its events came through, with messages only for
    /// switches below that neighbour. Fills the output's `delivery` and `actions`.
    @discardableResult
    public mutating func received(
        _ command: ServiceCommand, from unit: UnitID, isLocalSwitch: (DatapathID) -> Bool,
        into output: inout DispatchOutput
    ) -> AppliedWithdrawals {
        output.clear()
        guard let route = remote[command.sid], route.nextHop == unit else {
            reject(
                .commandOffRoute(
                    sid: command.sid.rawValue, from: unit.rawValue, via: remote[command.sid]?.nextHop.rawValue),
                &output)
            return AppliedWithdrawals()
        }
        return apply(command, from: unit, isLocalSwitch: isLocalSwitch, output: &output)
    }

    /// A command of a service hosted here, for this unit's domain or one below. Fills the
    /// output's `delivery` and `actions`.
    public mutating func issue(
        _ command: ServiceCommand, isLocalSwitch: (DatapathID) -> Bool, into output: inout DispatchOutput
    ) {
        output.clear()
        apply(command, from: domain, isLocalSwitch: isLocalSwitch, output: &output)
    }

    @discardableResult
    private mutating func apply(
        _ command: ServiceCommand, from unit: UnitID, isLocalSwitch: (DatapathID) -> Bool,
        output: inout DispatchOutput
    ) -> AppliedWithdrawals {
        let sid = command.sid.rawValue
        func keep(_ isIncluded: (DatapathID) -> Bool) -> EventReturn.SwitchMessageList {
            command.messages.filter { message in
                guard isIncluded(message.datapathID) else {
                    reject(.unseenSwitch(message.datapathID.rawValue, sid: sid, from: unit.rawValue), &output)
                    return false
                }
                return true
            }
        }
        guard command.domain == domain else {
            guard let below = domainsBelow[command.domain] else {
                reject(.commandForUnknownDomain(command.domain.rawValue, sid: sid, from: unit.rawValue), &output)
                return AppliedWithdrawals()
            }
            var relayed = command
            relayed.messages = keep { switchesBelow[$0] == below }
            counters.commandsRelayed += 1
            output.actions.append(.sendToUnit(.command(relayed), below))
            return AppliedWithdrawals()
        }
        let messages = keep(isLocalSwitch)
        if !messages.isEmpty { output.delivery = SwitchDelivery(messages: messages, xid: nil) }
        var applied = AppliedWithdrawals(withdrawn: command.withdrawn)
        for mac in command.withdrawn {
            if bypass[mac]?.remove(command.sid) != nil { applied.bypassEnded.append(mac) }
            if bypass[mac]?.isEmpty == true { bypass[mac] = nil }
        }
        counters.commandsApplied += 1
        return applied
    }

    // MARK: Answers from above

    /// A return from a unit above. `isLocalSwitch` says whether a DPID is one of this unit's
    /// switches. Fills the output's `delivery` (performed first) and `actions`.
    public mutating func received(
        _ answer: EventReturn, from unit: UnitID, now: NIODeadline, isLocalSwitch: (DatapathID) -> Bool,
        into output: inout DispatchOutput
    ) {
        output.clear()
        output.delivery = received(answer, from: unit, now: now, isLocalSwitch: isLocalSwitch, output: &output)
    }

    private mutating func received(
        _ answer: EventReturn, from unit: UnitID, now: NIODeadline, isLocalSwitch: (DatapathID) -> Bool,
        output: inout DispatchOutput
    ) -> SwitchDelivery? {
        counters.returnsReceived += 1
        let transaction = answer.transaction
        // Checked and counted in one look-up; only a return that passes the checks counts
        // against the transaction's budget, so another neighbour cannot use it up.
        let limit = settings.returnsPerTransaction
        let check = transactions.update(transaction) { entry -> ReturnCheck in
            guard entry.sentTo == unit else { return .wrongSender(entry.sentTo) }
            guard entry.sid == answer.sid else { return .wrongService(entry.sid) }
            entry.returns += 1
            return entry.returns <= limit ? .accepted(entry) : .flood
        }
        let record: XIDTranslationTable.Entry
        switch check {
        case nil:
            let rejection: DispatchRejection =
                transactions.hasEnded(transaction)
                ? .lateReturn(transaction, sid: answer.sid.rawValue, from: unit.rawValue)
                : .unknownTransaction(transaction, sid: answer.sid.rawValue, from: unit.rawValue)
            reject(rejection, &output)
            return nil
        case .wrongSender(let expected):
            reject(.wrongSender(transaction, expected: expected.rawValue, from: unit.rawValue), &output)
            return nil
        case .wrongService(let expected):
            reject(
                .wrongService(transaction, expected: expected.rawValue, got: answer.sid.rawValue, from: unit.rawValue),
                &output)
            return nil
        case .flood:
            reject(.returnFlood(transaction, sid: answer.sid.rawValue, from: unit.rawValue), &output)
            return nil
        case .accepted(let entry):
            record = entry
        }
        var delivery: SwitchDelivery?
        perService[record.counters].returns += 1
        if answer.verdict == .unreachable { perService[record.counters].unreachable += 1 }
        switch record.origin {
        case .unit(let below):
            var forwarded = answer
            forwarded.transaction = record.originalXID
            let allBelow = answer.messages.soleDatapathID.map { switchesBelow[$0] == below } ?? false
            if !allBelow {
                forwarded.messages = answer.messages.filter { message in
                    guard switchesBelow[message.datapathID] == below else {
                        reject(
                            .unseenSwitch(message.datapathID.rawValue, sid: answer.sid.rawValue, from: unit.rawValue),
                            &output)
                        return false
                    }
                    return true
                }
            }
            counters.returnsForwarded += 1
            output.actions.append(.sendToUnit(.eventReturn(forwarded), below))
        case .switchChannel(let asked):
            // Most messages answer the switch that asked: it is looked up once, not per message.
            let askedIsLocal = isLocalSwitch(asked)
            func deliverable(_ dpid: DatapathID) -> Bool { dpid == asked ? askedIsLocal : isLocalSwitch(dpid) }
            var messages = answer.messages
            let allDeliverable =
                messages.soleDatapathID.map(deliverable) ?? messages.allSatisfy { deliverable($0.datapathID) }
            if !allDeliverable {
                messages = messages.filter { message in
                    guard deliverable(message.datapathID) else {
                        reject(
                            .unseenSwitch(message.datapathID.rawValue, sid: answer.sid.rawValue, from: unit.rawValue),
                            &output)
                        return false
                    }
                    return true
                }
            }
            if !messages.isEmpty { delivery = SwitchDelivery(messages: messages, xid: record.switchXID) }
            for mac in answer.bypass { bypass[mac, default: []].insert(answer.sid) }
            if answer.verdict.isFinal, record.context != nil || record.wait != nil {
                roundTrips.record(now - record.issued)
            }
            if let key = record.context {
                answerArrived(answer, transaction: transaction, context: key, output: &output)
            } else if let wait = record.wait, answer.verdict.isFinal {
                parked.waitEnded(timedOutUnder: nil)
                // Counted as a parked context would be; there is nothing to resume.
                if !Self.stops(answer.verdict, under: wait.policy) { counters.resumed += 1 }
            }
        }
        if answer.verdict.isFinal { transactions.complete(transaction) }
        return delivery
    }

    private mutating func answerArrived(
        _ answer: EventReturn, transaction: UInt32, context key: UInt32, output: inout DispatchOutput
    ) {
        // Added to the context in place; taken out in the same look-up once the last answer is in.
        let resumed = parked.answer(key) { context, policy in
            for entry in answer.context { context.attributes[entry.key] = entry.value }
            guard answer.verdict.isFinal else { return false }
            if let index = context.answers.firstIndex(where: { $0.transaction == transaction }) {
                context.answers[index].arrived = true
            }
            if Self.stops(answer.verdict, under: policy) { context.stopped = true }
            return context.answers.allSatisfy(\.arrived)
        }
        guard let resumed, !resumed.context.stopped else { return }
        counters.resumed += 1
        // Without its event no local service goes on with it: there is nothing to perform.
        if resumed.context.event != nil { output.actions.append(.resume(resumed.context)) }
    }

    // MARK: Time

    /// Waiting contexts past their deadline are released under their policy; transactions past
    /// their lifetime are forgotten (a late answer is then an unknown transaction).
    /// Fills the output's `actions`.
    public mutating func tick(now: NIODeadline, into output: inout DispatchOutput) {
        output.clear()
        for (_, expired) in parked.expire(now: now) {
            for answer in expired.context.answers where !answer.arrived {
                if let record = transactions.complete(answer.transaction) {
                    perService[record.counters].timedOut += 1
                }
            }
            if expired.policy == .failOpen && !expired.context.stopped {
                counters.resumed += 1
                if expired.context.event != nil { output.actions.append(.resume(expired.context)) }
            }
        }
        for (_, entry) in transactions.expireWaits(now: now) { waitTimedOut(entry) }
        // A wait's deadline is within the lifetime, so these hold none but by a change of settings.
        for (_, entry) in transactions.expire(olderThan: settings.transactionLifetime, now: now) where entry.wait != nil
        { waitTimedOut(entry) }
    }

    /// Whether a final answer ends the event's processing here: a STOP, or an unreachable
    /// service that fails closed.
    private static func stops(_ verdict: ReturnVerdict, under policy: TimeoutPolicy) -> Bool {
        verdict == .stop || (verdict == .unreachable && policy == .failClosed)
    }

    private mutating func waitTimedOut(_ entry: XIDTranslationTable.Entry) {
        guard let wait = entry.wait else { return }
        perService[entry.counters].timedOut += 1
        parked.waitEnded(timedOutUnder: wait.policy)
        if wait.policy == .failOpen { counters.resumed += 1 }
    }

    /// A DIVERTed event waiting for its answers, parked or waiting in its transaction.
    public struct WaitingEvent: Hashable, Sendable {
        /// The transaction it waits under (the first, when it waits for several).
        public var transaction: UInt32
        public var sids: [ServiceID]
        public var category: EventCategory
        public var datapathID: DatapathID
        /// How many of its services have not given their final answer yet.
        public var awaiting: Int
        public var policy: TimeoutPolicy
        public var deadline: NIODeadline
    }

    /// Every DIVERTed event that waits, in transaction order (`echelon pending`).
    public var waiting: [WaitingEvent] {
        let contexts = parked.entries.map { parked in
            WaitingEvent(
                transaction: parked.transaction, sids: parked.context.answers.map(\.sid),
                category: parked.context.category,
                datapathID: parked.context.datapathID, awaiting: parked.context.awaitingCount, policy: parked.policy,
                deadline: parked.deadline)
        }
        let transactionWaits = transactions.waits.compactMap { transaction, entry -> WaitingEvent? in
            guard let wait = entry.wait, case .switchChannel(let dpid) = entry.origin else { return nil }
            return WaitingEvent(
                transaction: transaction, sids: [entry.sid], category: wait.category, datapathID: dpid, awaiting: 1,
                policy: wait.policy,
                deadline: wait.deadline)
        }
        return (contexts + transactionWaits).sorted { $0.transaction < $1.transaction }
    }

    // MARK: Helpers

    private mutating func issue(
        for origin: EventOrigin, originalXID: UInt32, service: DispatchTarget, switchXID: UInt32? = nil,
        context: UInt32? = nil,
        wait: TransactionWait? = nil, now: NIODeadline, output: inout DispatchOutput
    ) -> UInt32? {
        guard
            let transaction = transactions.issue(
                for: origin, originalXID: originalXID, sid: service.sid, sentTo: service.nextHop, switchXID: switchXID,
                context: context,
                wait: wait, counters: service.counters, now: now
            )
        else {
            reject(.transactionTableFull(sid: service.sid.rawValue), &output)
            return nil
        }
        return transaction
    }

    /// When this unit stops waiting for a service's answer to an event sent now: the deadline
    /// the event carries up.
    private func answerDeadline(for service: DispatchTarget, now: NIODeadline) -> NIODeadline {
        now + min(settings.transactionLifetime, service.timeout)
    }

    /// An event from below arrived past its deadline and was dropped.
    private mutating func expired(counters index: Int) {
        perService[index].expired += 1
        counters.expired += 1
    }

    /// An event the service was to get could not be sent or could not wait (a table is full):
    /// its policy applies at once.
    private mutating func shed(_ service: DispatchTarget) {
        perService[service.counters].shed += 1
        counters.shed += 1
    }

    /// Counts something the runtime refused before it reached the dispatcher.
    public mutating func count(_ rejection: DispatchRejection) {
        counters.rejected[rejection.kind, default: 0] += 1
    }

    private mutating func reject(_ rejection: DispatchRejection, _ output: inout DispatchOutput) {
        counters.rejected[rejection.kind, default: 0] += 1
        output.reject(rejection)
    }
}

/// What the checks of a return found.
private enum ReturnCheck {
    case accepted(XIDTranslationTable.Entry)
    case wrongSender(UnitID)
    case wrongService(ServiceID)
    case flood
}
