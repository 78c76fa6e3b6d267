import NIOCore

/// The round trips of this unit's DIVERTed events (sent up, final answer back), counted by
/// bucket as they end: the DIVERT latency histogram of the metrics.
///
/// Kept with the dispatcher, which sees every answer arrive: a record is a short scan of
/// integers, where a metrics library's histogram would take a lock and compare the value with
/// every bucket's bound, once per answered event on the relaying unit's busiest path.
public struct RoundTripCounts: Hashable, Sendable {
    /// The buckets' upper bounds, in nanoseconds: round trips go from tens of microseconds (a
    /// unit above on the same machine) to a service's timeout.
    public static let bounds: [Int64] = [
        50_000, 100_000, 250_000, 500_000, 1_000_000, 2_500_000, 5_000_000, 10_000_000, 25_000_000, 50_000_000,
        100_000_000, 250_000_000, 500_000_000, 1_000_000_000, 2_500_000_000,
    ]

    /// Per bucket, not cumulative: `counts[i]` round trips were above bound `i - 1` and at most
    /// bound `i`; the last counts those above every bound.
    public private(set) var counts = [Int](repeating: 0, count: bounds.count + 1)
    public private(set) var sumNanoseconds: Int64 = 0
    public private(set) var count = 0

    public init() {}

    public mutating func record(_ roundTrip: TimeAmount) {
        let nanoseconds = roundTrip.nanoseconds
        let bounds = Self.bounds
        var index = 0
        // Most round trips fall in the first few buckets.
        while index < bounds.count, nanoseconds > bounds[index] { index += 1 }
        counts[index] += 1
        sumNanoseconds &+= max(0, nanoseconds)
        count += 1
    }
}
