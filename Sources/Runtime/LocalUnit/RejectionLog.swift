import NIOCore

/// Rate limit for log lines about rejected input: a neighbour that floods bad returns gets
/// every one counted, but at most one line per kind per second in the log.
struct RejectionLog {
    private var last: [String: (logged: NIODeadline, suppressed: Int)] = [:]
    let interval = TimeAmount.milliseconds(1000)

    /// Nil when this one is not to be logged; otherwise how many were suppressed since the last line.
    mutating func shouldLog(_ kind: String, now: NIODeadline) -> Int? {
        if let entry = last[kind], now - entry.logged < interval {
            last[kind]?.suppressed += 1
            return nil
        }
        let suppressed = last[kind]?.suppressed ?? 0
        last[kind] = (now, 0)
        return suppressed
    }
}
