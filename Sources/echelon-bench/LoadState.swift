import Histogram
import NIOCore

struct LoadSettings: Sendable {
    var switchCount: Int
    var macsPerSwitch: Int
    var outstanding: Int
    var learnOnly: Bool
}

/// Counters shared by every emulated switch; they all live on one event loop.
final class LoadState {
    let settings: LoadSettings
    private(set) var readySwitches = 0
    private(set) var answered: UInt64 = 0
    private var measuring = false
    private var measuredAnswers: UInt64 = 0
    private var histogram = Histogram<UInt64>(highestTrackableValue: 60_000_000, numberOfSignificantValueDigits: .three)

    init(settings: LoadSettings) { self.settings = settings }

    func switchReady() { readySwitches += 1 }

    func recordAnswer(roundTripNanoseconds: UInt64) {
        answered += 1
        guard measuring else { return }
        measuredAnswers += 1
        _ = histogram.record(roundTripNanoseconds)
    }

    func startMeasuring() -> NIODeadline {
        measuring = true
        measuredAnswers = 0
        histogram.reset()
        return .now()
    }

    func stopMeasuring() -> (UInt64, BenchReport.Latency) {
        measuring = false
        let micro = { (nanoseconds: UInt64) in Double(nanoseconds) / 1000 }
        let latency = BenchReport.Latency(
            p50Microseconds: micro(histogram.valueAtPercentile(50)),
            p90Microseconds: micro(histogram.valueAtPercentile(90)),
            p99Microseconds: micro(histogram.valueAtPercentile(99)), maxMicroseconds: micro(histogram.max))
        return (measuredAnswers, latency)
    }
}
