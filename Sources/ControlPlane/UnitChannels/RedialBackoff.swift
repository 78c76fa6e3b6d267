import NIOCore

/// How long a dialer waits before its next attempt: doubling from `initial` up to `maximum`,
/// each delay spread by ±`jitter` so that units that lost the same neighbour at the same moment
/// do not all redial it in step. The randomness is passed in, so tests can pin it.
public struct RedialBackoff: Hashable, Sendable {
    public let initial: TimeAmount
    public let maximum: TimeAmount
    /// Fraction of the delay by which it may be shortened or lengthened (0 to 1).
    public let jitter: Double
    public private(set) var attempts = 0

    public init(initial: TimeAmount = .milliseconds(100), maximum: TimeAmount = .seconds(5), jitter: Double = 0.2) {
        precondition(initial > .zero && maximum >= initial && (0...1).contains(jitter), "backoff settings out of range")
        self.initial = initial
        self.maximum = maximum
        self.jitter = jitter
    }

    /// The delay before the next attempt; `random` is uniform in 0..<1.
    public mutating func nextDelay(random: Double) -> TimeAmount {
        let exponent = min(attempts, 30)
        attempts += 1
        let base = min(Double(maximum.nanoseconds), Double(initial.nanoseconds) * Double(1 << exponent))
        let spread = 1 - jitter + 2 * jitter * min(max(random, 0), 1)
        return .nanoseconds(Int64(base * spread))
    }

    /// A connection succeeded: the next failure starts from `initial` again.
    public mutating func reset() { attempts = 0 }
}
