import NIOCore

/// This unit's estimate of a neighbour's monotonic clock, so that a deadline the neighbour
/// writes in its own clock (`EscalatedEvent.deadline`) can be read in ours without the hosts'
/// clocks being set alike.
///
/// Every keepalive the neighbour sends carries its clock at sending. The difference between
/// our clock when it arrives and that stamp is the clocks' offset plus the time it took to
/// arrive; the smallest difference over the last few keepalives is the offset plus the quickest
/// delivery. A deadline read through it is therefore late by at most that delivery time, never
/// early: no work that could still be answered in time is dropped. A frozen or loaded end only
/// makes samples larger, which the minimum ignores; the window keeps only recent samples because
/// the clocks of two hosts drift apart.
public struct PeerClock: Hashable, Sendable {
    /// How many recent samples the minimum is taken over.
    public static let window = 8

    private var samples: [Int64] = []
    private var oldest = 0
    /// Our clock minus the neighbour's, once a keepalive has been heard.
    public private(set) var offset: ClockOffset?

    public init() {}

    /// A keepalive stamped `stamp` (the neighbour's clock) arrived at `now` (ours).
    public mutating func heard(stamp: UInt64, at now: NIODeadline) {
        let sample = Int64(clamping: now.uptimeNanoseconds) &- Int64(clamping: stamp)
        if samples.count < Self.window {
            samples.append(sample)
        } else {
            samples[oldest] = sample
            oldest = (oldest + 1) % Self.window
        }
        // Samples are few; the minimum is taken again rather than kept in order.
        offset = samples.min().map(ClockOffset.init(nanoseconds:))
    }

    /// The stamp a keepalive carries: our clock now, as the neighbour's `heard` reads it.
    public static func stamp(_ now: NIODeadline) -> ByteBuffer {
        var buffer = ByteBuffer()
        buffer.writeInteger(now.uptimeNanoseconds)
        return buffer
    }

    /// The stamp in a keepalive's payload, or nil when it carries none (another implementation's echo).
    public static func stamp(in payload: ByteBuffer) -> UInt64? {
        guard payload.readableBytes == 8 else { return nil }
        return payload.getInteger(at: payload.readerIndex, as: UInt64.self)
    }
}

/// How far our monotonic clock is ahead of a neighbour's (`PeerClock`).
public struct ClockOffset: Hashable, Sendable {
    public var nanoseconds: Int64

    public init(nanoseconds: Int64) { self.nanoseconds = nanoseconds }

    /// A deadline the neighbour wrote in its clock, in ours; nil when it wrote none (0).
    public func local(_ deadline: UInt64) -> NIODeadline? {
        guard deadline != 0 else { return nil }
        let (sum, overflow) = Int64(clamping: deadline).addingReportingOverflow(nanoseconds)
        if overflow { return nanoseconds > 0 ? .distantFuture : .uptimeNanoseconds(0) }
        return .uptimeNanoseconds(UInt64(clamping: sum))
    }
}
