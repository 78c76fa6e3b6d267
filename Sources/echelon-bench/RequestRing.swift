/// The requests one emulated switch has issued and not yet seen answered, by buffer id.
///
/// Buffer ids count up from 1 (skipping 0 and `0xffff_ffff`, which means "no buffer") and each
/// takes the ring's slot `id % size`. A slot remembers the id it holds, so an answer that names
/// an id no longer in its slot (answered, expired or overwritten since) is not taken for the
/// slot's newer request. Requests are issued into the ring, stamped with their send time when
/// the buffer they were written into is flushed, and leave it answered, expired (sent before a
/// deadline and still unanswered) or overwritten (when the ids come round to their slot again,
/// which in a closed loop means a request left unanswered for `size` requests, and in an open
/// loop is how unanswered requests are forgotten).
///
/// A pure value, so that the closed loop's slot timeout can be tested without sockets.
struct RequestRing {
    /// Send time of each slot's request in uptime nanoseconds; 0: no request outstanding;
    /// `unwritten`: issued, not yet flushed.
    private var sentAt: [UInt64]
    /// The buffer id of each slot's latest request.
    private var ids: [UInt32]
    private let mask: Int
    /// The next id to issue.
    private(set) var next: UInt32 = 1
    /// The first issued request not yet stamped; `next` when all are.
    private var firstUnstamped: UInt32 = 1
    /// No request before this id is outstanding: where the search for expired requests starts.
    private var oldest: UInt32 = 1
    /// Requests issued and not yet answered, expired or overwritten.
    private(set) var outstanding = 0

    private static let unwritten = UInt64.max

    /// A ring of `size` slots, rounded up to a power of two.
    init(size: Int) {
        var rounded = 1
        while rounded < size { rounded <<= 1 }
        mask = rounded - 1
        sentAt = Array(repeating: 0, count: rounded)
        ids = Array(repeating: 0, count: rounded)
    }

    var size: Int { mask + 1 }

    /// The id after `buffer`: 0 and `0xffff_ffff` are never issued.
    static func buffer(after buffer: UInt32) -> UInt32 { buffer >= UInt32.max - 1 ? 1 : buffer + 1 }

    private func slot(_ buffer: UInt32) -> Int { Int(buffer) & mask }

    /// Takes the next buffer id for a request about to be written. `overwrote` is true when the
    /// slot still held an outstanding request, which is forgotten (it no longer counts in
    /// `outstanding`, and its answer will not be matched).
    mutating func issue() -> (buffer: UInt32, overwrote: Bool) {
        let buffer = next
        next = Self.buffer(after: buffer)
        let slot = slot(buffer)
        let overwrote = sentAt[slot] != 0
        if !overwrote { outstanding += 1 }
        sentAt[slot] = Self.unwritten
        ids[slot] = buffer
        return (buffer, overwrote)
    }

    /// The requests issued since the last stamp leave now; returns how many.
    mutating func stamp(now: UInt64) -> Int {
        var count = 0
        while firstUnstamped != next {
            let slot = slot(firstUnstamped)
            if ids[slot] == firstUnstamped && sentAt[slot] == Self.unwritten {
                sentAt[slot] = now
                count += 1
            }
            firstUnstamped = Self.buffer(after: firstUnstamped)
        }
        return count
    }

    /// What an answer naming a buffer id was to the ring.
    enum Answer: Equatable {
        /// The answer to an outstanding request, sent at this uptime; it is no longer outstanding.
        case outstanding(sentAt: UInt64)
        /// The id was issued, but its slot has been taken by a later request since: its request
        /// was overwritten, or answered or given up on before the slot was reused.
        case overtaken
        /// Nothing to match: the id's request is answered or given up on and its slot not
        /// reused, or not yet written, or the id was never issued.
        case unmatched
    }

    /// Takes the answer to `buffer` off the ring.
    mutating func answer(_ buffer: UInt32) -> Answer {
        let slot = slot(buffer)
        let sent = sentAt[slot]
        guard ids[slot] == buffer else {
            // Issued at most half the id space ago (0 and `0xffff_ffff` never are).
            let age = next &- buffer
            return buffer != 0 && buffer != UInt32.max && age > 0 && age <= 1 << 31 ? .overtaken : .unmatched
        }
        guard sent != 0, sent != Self.unwritten else { return .unmatched }
        sentAt[slot] = 0
        outstanding -= 1
        return .outstanding(sentAt: sent)
    }

    /// Forgets the written requests sent at or before `deadline` that are still unanswered;
    /// returns how many. Ids are sent in order, so the search stops at the first request sent
    /// after the deadline, and each id is passed over once in the ring's life.
    mutating func expire(sentAtOrBefore deadline: UInt64) -> Int {
        var count = 0
        while oldest != firstUnstamped {
            let slot = slot(oldest)
            if ids[slot] == oldest && sentAt[slot] != 0 {
                guard sentAt[slot] <= deadline else { break }
                sentAt[slot] = 0
                outstanding -= 1
                count += 1
            }
            oldest = Self.buffer(after: oldest)
        }
        return count
    }
}
