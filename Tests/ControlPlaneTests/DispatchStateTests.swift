import ControlPlane
import NIOCore
import OpenFlow
import Testing
import UnitProtocol

@Suite struct ProcessChainConsensusTests {
    /// Every pair, written out: allow < deny | split < divert, deny + split = divert.
    @Test(arguments: [
        (ProcessChainAction.allow, ProcessChainAction.allow, ProcessChainAction.allow),
        (.allow, .split, .split), (.allow, .deny, .deny), (.allow, .divert, .divert),
        (.split, .split, .split), (.split, .deny, .divert), (.split, .divert, .divert),
        (.deny, .deny, .deny), (.deny, .divert, .divert),
        (.divert, .divert, .divert),
    ])
    func pairs(left: ProcessChainAction, right: ProcessChainAction, expected: ProcessChainAction) {
        #expect(ProcessChainConsensus.combine(left, right) == expected)
        #expect(ProcessChainConsensus.combine(right, left) == expected, "order does not matter")
    }

    @Test func nothingMatchedIsAllow() {
        #expect(ProcessChainConsensus.combine([]) == .allow)
    }

    /// Every list of up to four actions: combining all at once equals folding pairwise, in any
    /// order, so the result never depends on how many services matched or in which order.
    @Test func everyListCombinesLikeItsPairwiseFold() {
        let all = ProcessChainAction.allCases
        var lists: [[ProcessChainAction]] = [[]]
        for _ in 1...4 {
            lists += lists.filter { $0.count == lists.map(\.count).max() }.flatMap { list in all.map { list + [$0] } }
        }
        #expect(lists.count == 1 + 4 + 16 + 64 + 256)
        for list in lists {
            let whole = ProcessChainConsensus.combine(list)
            #expect(list.reduce(ProcessChainAction.allow, ProcessChainConsensus.combine) == whole)
            #expect(ProcessChainConsensus.combine(list.reversed()) == whole)
        }
    }
}

@Suite struct XIDTranslationTableTests {
    let t0 = NIODeadline.uptimeNanoseconds(1_000_000_000)

    /// 200 switches under tier 1, all using the same few xids; each event goes up through
    /// tier 2 to tier 3, answers come back in a shuffled order, and each must reach the switch
    /// it came from with the xid that switch used.
    @Test func answersReturnThroughThreeTiersToTheRightSwitchWithItsXID() throws {
        var tier1 = XIDTranslationTable()
        var tier2 = XIDTranslationTable()
        var atTier3: [(transaction: UInt32, dpid: UInt64, xid: UInt32)] = []
        for dpid in UInt64(1)...200 {
            for xid: UInt32 in [0, 1, 2, 0xffff_ffff] {
                let issued1 = tier1.issue(for: .switchChannel(DatapathID(dpid)), originalXID: xid, now: t0)
                let up1 = try #require(issued1)
                let issued2 = tier2.issue(for: .unit(UnitID(11)), originalXID: up1, now: t0)
                let up2 = try #require(issued2)
                atTier3.append((up2, dpid, xid))
            }
        }
        #expect(Set(atTier3.map(\.transaction)).count == atTier3.count, "tier 2 never reuses a transaction in flight")
        var generator = SystemRandomNumberGenerator()
        for answer in atTier3.shuffled(using: &generator) {
            let completed2 = tier2.complete(answer.transaction)
            let back2 = try #require(completed2)
            #expect(back2.origin == .unit(UnitID(11)))
            let completed1 = tier1.complete(back2.originalXID)
            let back1 = try #require(completed1)
            #expect(back1.origin == .switchChannel(DatapathID(answer.dpid)))
            #expect(back1.originalXID == answer.xid)
        }
        #expect(tier1.count == 0 && tier2.count == 0, "nothing leaks")
    }

    @Test func unknownAndExpiredTransactionsResolveToNothing() throws {
        var table = XIDTranslationTable()
        let issuedOld = table.issue(for: .switchChannel(DatapathID(1)), originalXID: 9, now: t0)
        let issuedFresh = table.issue(for: .switchChannel(DatapathID(1)), originalXID: 10, now: t0 + .seconds(2))
        let old = try #require(issuedOld)
        let fresh = try #require(issuedFresh)
        #expect(table.resolve(12345) == nil)
        let expired = table.expire(olderThan: .seconds(1), now: t0 + .milliseconds(2500))
        #expect(expired.map(\.transaction) == [old])
        #expect(table.resolve(old) == nil)
        #expect(table.resolve(fresh)?.originalXID == 10)
    }

    @Test func aFullTableIssuesNothingAndTheCounterSkipsIdsInUse() throws {
        var table = XIDTranslationTable(capacity: 2)
        let issuedFirst = table.issue(for: .unit(UnitID(1)), originalXID: 1, now: t0)
        let issuedSecond = table.issue(for: .unit(UnitID(1)), originalXID: 2, now: t0)
        let refused = table.issue(for: .unit(UnitID(1)), originalXID: 3, now: t0)
        let first = try #require(issuedFirst)
        #expect(issuedSecond != nil && refused == nil)
        table.complete(first)
        let afterRoom = table.issue(for: .unit(UnitID(1)), originalXID: 3, now: t0)
        #expect(afterRoom != nil)
    }

    /// Open transactions per switch, asked for the switch counted last and for others, as
    /// events go up and their answers come back in any order.
    @Test func eachSwitchsOpenCountFollowsItsTransactions() throws {
        var table = XIDTranslationTable()
        let (a, b) = (DatapathID(1), DatapathID(2))
        var open: [UInt32] = []
        for (n, dpid) in [a, a, b, a, b].enumerated() {
            let issued = table.issue(for: .switchChannel(dpid), originalXID: UInt32(n), now: t0)
            open.append(try #require(issued))
        }
        #expect(table.openCount(from: a) == 3 && table.openCount(from: b) == 2)
        table.complete(open[0])
        #expect(table.openCount(from: a) == 2 && table.openCount(from: b) == 2)
        table.complete(open[4])
        table.complete(open[2])
        #expect(table.openCount(from: b) == 0 && table.openCount(from: a) == 2)
        #expect(table.openCount(from: DatapathID(3)) == 0)
    }
}

@Suite struct ParkedContextsTests {
    let t0 = NIODeadline.uptimeNanoseconds(1_000_000_000)

    @Test func aContextResumesOnceWhenItsAnswerReturns() throws {
        var parked = ParkedContexts<String>()
        let parkedKey = parked.park(
            "packet 1", transaction: 7, sid: ServiceID(200), policy: .failOpen, timeout: .seconds(1), now: t0)
        let key = try #require(parkedKey)
        let resumed = parked.resume(key)
        let again = parked.resume(key)
        #expect(resumed?.context == "packet 1" && resumed?.transaction == 7)
        #expect(again == nil, "a second answer finds nothing to resume")
        #expect(parked.counters.resumed == 1 && parked.count == 0)
    }

    @Test func timeoutsApplyEachServicesPolicyAndAreCounted() throws {
        var parked = ParkedContexts<String>()
        // Parked out of deadline order: expiry releases them in deadline order.
        let closed = parked.park(
            "closed", transaction: 2, sid: ServiceID(2), policy: .failClosed, timeout: .milliseconds(200), now: t0)
        let open = parked.park(
            "open", transaction: 1, sid: ServiceID(1), policy: .failOpen, timeout: .milliseconds(100), now: t0)
        let later = parked.park(
            "later", transaction: 3, sid: ServiceID(2), policy: .failClosed, timeout: .seconds(5), now: t0)
        let due = parked.expire(now: t0 + .milliseconds(250))
        #expect(due.map(\.parked.context) == ["open", "closed"])
        #expect(due.map(\.parked.policy) == [.failOpen, .failClosed])
        let keys = (try #require(open), try #require(closed), try #require(later))
        #expect(due.map(\.key) == [keys.0, keys.1])
        #expect(parked.counters.timedOutOpen == 1 && parked.counters.timedOutClosed == 1)
        let late = parked.resume(keys.0)
        #expect(late == nil, "a late answer finds nothing")
        #expect(parked.waiting.map(\.transaction) == [3])
        let stillWaiting = parked.resume(keys.2)
        #expect(stillWaiting?.context == "later")
    }

    /// The key announced before parking is the one the context gets, fresh and after reuse;
    /// a full table announces none.
    @Test func theNextKeyIsTheOneTheContextIsParkedUnder() throws {
        var parked = ParkedContexts<Int>(capacity: 2)
        for round in 0..<3 {
            let announced = parked.nextKey
            let key = parked.park(
                round, transaction: 1, sid: ServiceID(1), policy: .failOpen, timeout: .seconds(1), now: t0)
            #expect(announced != nil && key == announced)
            if round < 2, let key { _ = parked.resume(key) }
        }
        let second = parked.park(9, transaction: 2, sid: ServiceID(1), policy: .failOpen, timeout: .seconds(1), now: t0)
        #expect(second != nil)
        #expect(parked.nextKey == nil, "full: no key to announce")
    }

    /// Each answer is added in place; the context is taken out with the last one, once.
    @Test func answersChangeTheContextUntilTheLastTakesItOut() throws {
        var parked = ParkedContexts<[String]>()
        let parkedKey = parked.park(
            [], transaction: 1, sid: ServiceID(1), policy: .failClosed, timeout: .seconds(1), now: t0)
        let key = try #require(parkedKey)
        let first = parked.answer(key) { context, policy in
            context.append("first \(policy)")
            return false
        }
        #expect(first == nil && parked.count == 1 && parked.counters.resumed == 0)
        let last = parked.answer(key) { context, _ in
            context.append("last")
            return true
        }
        #expect(last?.context == ["first fail-closed", "last"])
        #expect(parked.count == 0 && parked.counters.resumed == 1)
        let late = parked.answer(key) { _, _ in true }
        #expect(late == nil, "nothing is parked under the key any more")
    }

    @Test func aFullTableRefusesAndCounts() {
        var parked = ParkedContexts<Int>(capacity: 1)
        let first = parked.park(1, transaction: 1, sid: ServiceID(1), policy: .failOpen, timeout: .seconds(1), now: t0)
        let second = parked.park(2, transaction: 2, sid: ServiceID(1), policy: .failOpen, timeout: .seconds(1), now: t0)
        #expect(first != nil && second == nil)
        #expect(parked.counters.refusedFull == 1 && parked.count == 1)
    }

    /// Waits in transactions and parked contexts share one bound and one set of counters.
    @Test func waitsInTransactionsCountAsParked() {
        var parked = ParkedContexts<Int>(capacity: 2)
        let admitted = parked.admitWait()
        let key = parked.park(1, transaction: 1, sid: ServiceID(1), policy: .failOpen, timeout: .seconds(1), now: t0)
        #expect(admitted && key != nil && parked.count == 2 && parked.isFull)
        let refused = parked.admitWait()
        #expect(!refused && parked.nextKey == nil && parked.counters.refusedFull == 1)
        parked.waitEnded(timedOutUnder: nil)
        #expect(parked.count == 1 && parked.counters.resumed == 1 && parked.nextKey != nil)
        let again = parked.admitWait()
        parked.waitEnded(timedOutUnder: .failClosed)
        #expect(again && parked.count == 1 && parked.counters.timedOutClosed == 1 && parked.counters.parked == 3)
    }

    /// A waiting transaction is taken out at its own deadline, before its lifetime ends, and
    /// listed until then; the others stay.
    @Test func waitingTransactionsExpireAtTheirDeadline() {
        var transactions = XIDTranslationTable(capacity: 4)
        let wait = TransactionWait(category: .packetIn, policy: .failOpen, deadline: t0 + .milliseconds(200))
        let waiting = transactions.issue(for: .switchChannel(DatapathID(1)), originalXID: 7, wait: wait, now: t0)
        let plain = transactions.issue(for: .switchChannel(DatapathID(1)), originalXID: 8, now: t0)
        #expect(transactions.waits.map(\.transaction) == [waiting].compactMap { $0 })
        #expect(transactions.expireWaits(now: t0 + .milliseconds(199)).isEmpty)
        let expired = transactions.expireWaits(now: t0 + .milliseconds(200))
        #expect(expired.map(\.transaction) == [waiting].compactMap { $0 })
        #expect(expired.first?.entry.wait == wait && expired.first?.entry.originalXID == 7)
        #expect(
            transactions.waits.isEmpty && transactions.count == 1 && plain.flatMap { transactions.resolve($0) } != nil)
    }

    /// One event waits for several answers: it is kept under its own key, so the first
    /// transaction's slot being over and reused does not reach it.
    @Test func aContextOutlivesTheTransactionItWasParkedFor() throws {
        var transactions = XIDTranslationTable(capacity: 2)
        var parked = ParkedContexts<String>(capacity: 2)
        let issued = (
            transactions.issue(for: .switchChannel(DatapathID(1)), originalXID: 1, now: t0),
            transactions.issue(for: .switchChannel(DatapathID(1)), originalXID: 1, now: t0)
        )
        let first = try #require(issued.0)
        let second = try #require(issued.1)
        let parkedKey = parked.park(
            "both", transaction: first, sid: ServiceID(1), policy: .failOpen, timeout: .seconds(1), now: t0)
        let key = try #require(parkedKey)
        transactions.complete(first)
        let reissued = transactions.issue(for: .switchChannel(DatapathID(2)), originalXID: 9, now: t0)
        let reused = try #require(reissued)
        let otherKey = parked.park(
            "other", transaction: reused, sid: ServiceID(1), policy: .failOpen, timeout: .seconds(1), now: t0)
        let other = try #require(otherKey)
        #expect(reused & 1 == first & 1, "the first transaction's slot was reused")
        #expect(other != key)
        let completed = transactions.complete(second)
        let resumed = (parked.resume(key), parked.resume(other))
        #expect(completed != nil)
        #expect(resumed.0?.context == "both" && resumed.1?.context == "other")
    }
}

@Suite struct XIDTranslationSlotTests {
    let t0 = NIODeadline.uptimeNanoseconds(1_000_000_000)

    /// A slot is reused as soon as its transaction is over; the late answer to the old one
    /// must find nothing, however often the slot's generation has wrapped.
    @Test func aReusedSlotNeverAnswersToAnOldTransaction() throws {
        var table = XIDTranslationTable(capacity: 1 << 24)
        var seen: Set<UInt32> = []
        var previous: UInt32?
        for round in 0..<600 {
            let issued = table.issue(for: .switchChannel(DatapathID(1)), originalXID: UInt32(round), now: t0)
            let transaction = try #require(issued)
            #expect(transaction != 0)
            if let previous { #expect(table.resolve(previous) == nil) }
            #expect(table.resolve(transaction)?.originalXID == UInt32(round))
            seen.insert(transaction)
            #expect(table.complete(transaction)?.originalXID == UInt32(round))
            #expect(table.complete(transaction) == nil, "completing twice finds nothing")
            previous = transaction
        }
        // 8 bits of generation: ids repeat only after 255 reuses of one slot, never as 0.
        #expect(seen.count == 255)
        #expect(table.count == 0)
    }

    @Test func idsThatNoSlotHoldResolveToNothing() {
        var table = XIDTranslationTable(capacity: 4)
        let issued = table.issue(for: .unit(UnitID(2)), originalXID: 5, now: t0)
        #expect(issued != nil)
        for stranger: UInt32 in [0, 1, 2, 3, 0xffff_ffff, (issued ?? 0) ^ 0x100] {
            #expect(table.resolve(stranger) == nil)
        }
        #expect(table.count == 1)
    }
}

@Suite struct AwaitedAnswersTests {
    /// The first answer is kept inline and the others in a list: as a collection they are one
    /// sequence, in order, and each can be marked as arrived.
    @Test(arguments: [0, 1, 2, 5])
    func behavesAsTheListOfAnswersItHolds(count: Int) {
        var answers = AwaitedAnswers()
        for index in 0..<count {
            answers.append(AwaitedAnswer(transaction: UInt32(index + 1), sid: ServiceID(UInt32(100 + index))))
        }
        #expect(answers.count == count)
        #expect(answers.map(\.transaction) == (0..<count).map { UInt32($0 + 1) })
        #expect(answers.first?.sid == (count > 0 ? ServiceID(100) : nil))
        for index in answers.indices where index % 2 == 0 { answers[index].arrived = true }
        #expect(answers.map(\.arrived) == (0..<count).map { $0 % 2 == 0 })
        #expect(answers.allSatisfy(\.arrived) == (count <= 1))
    }
}
