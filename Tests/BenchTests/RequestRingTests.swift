import Testing

@testable import echelon_bench

@Suite struct RequestRingTests {
    /// Issues `count` requests and writes them at `now`; returns their buffer ids.
    private func send(_ count: Int, at now: UInt64, on ring: inout RequestRing) -> [UInt32] {
        let buffers = (0..<count).map { _ in ring.issue().buffer }
        #expect(ring.stamp(now: now) == count)
        return buffers
    }

    @Test func anAnswerTakesItsRequestOffTheRingOnce() {
        var ring = RequestRing(size: 8)
        let buffers = send(3, at: 100, on: &ring)
        #expect(buffers == [1, 2, 3])
        #expect(ring.outstanding == 3)
        #expect(ring.answer(2) == .outstanding(sentAt: 100))
        #expect(ring.outstanding == 2)
        #expect(ring.answer(2) == .unmatched)
        #expect(ring.outstanding == 2)
    }

    /// The closed loop's slot timeout: requests unanswered since the deadline are given up on,
    /// answered ones and younger ones are not, and an answer that comes afterwards is not matched.
    @Test func expiryFreesOnlyUnansweredRequestsSentByTheDeadline() {
        var ring = RequestRing(size: 16)
        let early = send(4, at: 100, on: &ring)
        let late = send(2, at: 200, on: &ring)
        #expect(ring.answer(early[1]) == .outstanding(sentAt: 100))
        #expect(ring.expire(sentAtOrBefore: 99) == 0)
        #expect(ring.expire(sentAtOrBefore: 150) == 3)
        #expect(ring.outstanding == 2)
        #expect(ring.answer(early[0]) == .unmatched)
        #expect(ring.expire(sentAtOrBefore: 150) == 0)
        #expect(ring.answer(late[0]) == .outstanding(sentAt: 200))
        #expect(ring.expire(sentAtOrBefore: 1000) == 1)
        #expect(ring.outstanding == 0)
    }

    /// A window kept full against a controller that answers every other request: with expiry
    /// the window never empties of live requests, so the load never stops.
    @Test func aWindowRefilledOnExpiryKeepsSending() {
        var ring = RequestRing(size: 64)
        let window = 4
        var now: UInt64 = 1
        var answered = 0
        var sent = 0
        for _ in 0..<50 {
            while ring.outstanding < window { _ = ring.issue() }
            sent += ring.stamp(now: now)
            // The controller answers the even buffer ids among those just sent.
            for buffer in UInt32(1)..<ring.next where buffer % 2 == 0 {
                if case .outstanding = ring.answer(buffer) { answered += 1 }
            }
            now += 10
            _ = ring.expire(sentAtOrBefore: now - 10)
        }
        #expect(sent == 50 * window)
        #expect(answered == sent / 2)
    }

    /// Unwritten requests are neither answered nor expired.
    @Test func unwrittenRequestsWait() {
        var ring = RequestRing(size: 8)
        let buffer = ring.issue().buffer
        #expect(ring.answer(buffer) == .unmatched)
        #expect(ring.expire(sentAtOrBefore: .max - 1) == 0)
        #expect(ring.stamp(now: 5) == 1)
        #expect(ring.answer(buffer) == .outstanding(sentAt: 5))
    }

    /// When the ids come round, a slot's unanswered request is overwritten: its answer is then
    /// told apart from the slot's new request and from ids never issued.
    @Test func overwrittenRequestsAreOvertaken() {
        var ring = RequestRing(size: 4)
        _ = send(4, at: 10, on: &ring)
        let (fifth, overwrote) = ring.issue()
        #expect(fifth == 5 && overwrote)
        #expect(ring.outstanding == 4)
        #expect(ring.stamp(now: 20) == 1)
        #expect(ring.answer(1) == .overtaken)
        #expect(ring.answer(5) == .outstanding(sentAt: 20))
        #expect(ring.answer(9) == .unmatched)
        #expect(ring.answer(0) == .unmatched)
        #expect(ring.answer(.max) == .unmatched)
        #expect(ring.answer(2) == .outstanding(sentAt: 10))
    }

    @Test func bufferIDsSkipZeroAndNoBuffer() {
        #expect(RequestRing.buffer(after: 1) == 2)
        #expect(RequestRing.buffer(after: .max - 1) == 1)
        #expect(RequestRing(size: 5).size == 8)
    }
}
