import Histogram
import NIOCore

struct LoadSettings: Sendable {
    var switchCount: Int
    var macsPerSwitch: Int
    /// Requests outstanding per switch in the closed loop; unused in the open loop.
    var outstanding: Int
    var learnOnly: Bool
    /// Each switch writes PACKET_INs whenever its channel is writable, with no window.
    var openLoop = false
    /// Every PACKET_IN is for a destination no switch ever sends from (a host of another
    /// domain, or of nobody's): a resolver's client asks about each one.
    var unknownDestinations = false
    /// In the closed loop, a request unanswered for this long frees its window slot; nil: never.
    var requestTimeoutNanoseconds: UInt64? = nil
    /// The cables between the switches, which carry the controller's LLDP probes; nil: none,
    /// and every switch has `EmulatedSwitch.portCount` host ports.
    var fabric: Fabric? = nil
    /// Path-setup mode: host pairs set up across the fabric's line instead of each switch's
    /// own requests.
    var pathSetup: PathSetupSettings? = nil
    /// After the handshake the switches send nothing of their own until `LoadState.beginLoad()`
    /// (so that the controller can first learn the fabric's links).
    var deferredStart = false
    /// The DPID of the first switch; the others follow it. Two runs against one unit at once
    /// need DPIDs apart, or the second's switches replace the first's.
    var firstDatapathID: UInt64 = 1

    /// Slots in each switch's ring of requests (`RequestRing`). With one request outstanding
    /// (learn mode, no timeout) the ring can never come round to an unanswered one, so it can be
    /// small, which matters with a thousand switches; otherwise a request overtaken by a full
    /// ring of younger ones is forgotten (counted as a timeout in the closed loop).
    var ringSize: Int {
        !openLoop && outstanding == 1 && requestTimeoutNanoseconds == nil ? 16 : 1 << 16
    }
}

/// What a measured period gave.
struct Measurement: Sendable {
    var elapsedSeconds: Double
    var answers: UInt64
    var latency: BenchReport.Latency
    /// PACKET_INs written (flushed) in the period.
    var requestsSent: UInt64
    /// Closed loop: requests given up after the timeout (or overtaken by the ring) in the period.
    var timeouts: UInt64
    /// Answers per switch in each whole second of the period: `[second][switch]`.
    var answersPerSwitchPerSecond: [[UInt64]]

    var perSecond: PerSecondStats? { PerSecondStats.of(answersPerSwitchPerSecond) }
}

/// Counters shared by every emulated switch, and what crosses from one to another (the
/// fabric's cables, path setup); they all live on one event loop.
final class LoadState {
    let settings: LoadSettings
    let roster: SwitchRoster
    let relay: FabricRelay?
    let pathSetup: PathSetupLoad?
    private(set) var readySwitches = 0
    private(set) var answered: UInt64 = 0
    private(set) var sent: UInt64 = 0
    private(set) var timeouts: UInt64 = 0
    private var measuring = false
    private var measureStart: UInt64 = 0
    private var measuredAnswers: UInt64 = 0
    private var measuredSent: UInt64 = 0
    private var measuredTimeouts: UInt64 = 0
    /// Answers per switch in each second since the measurement began, `[second][switch]`.
    private var perSecond: [[UInt64]] = []
    private var histogram = Histogram<UInt64>(highestTrackableValue: 60_000_000, numberOfSignificantValueDigits: .three)

    init(settings: LoadSettings) {
        self.settings = settings
        let roster = SwitchRoster(count: settings.switchCount)
        self.roster = roster
        relay = settings.fabric.map { FabricRelay(fabric: $0, roster: roster) }
        if let fabric = settings.fabric, let pathSetup = settings.pathSetup {
            self.pathSetup = PathSetupLoad(settings: pathSetup, fabric: fabric, roster: roster)
        } else {
            self.pathSetup = nil
        }
    }

    func switchReady() { readySwitches += 1 }

    /// Starts the load of switches whose start was deferred (`LoadSettings.deferredStart`).
    func beginLoad() {
        for index in 0..<settings.switchCount {
            guard let member = roster[index] else { continue }
            member.begin()
            member.flushOutbound()
        }
    }

    /// Stops what runs on timers of the load's own (path setup's search for pairs to give up on).
    func stop() { pathSetup?.stop() }

    /// An answer to switch `switchIndex`'s request, read at uptime `now`; its round trip when
    /// its request's send time is known.
    func recordAnswer(switchIndex: Int, roundTripNanoseconds: UInt64?, now: UInt64) {
        answered += 1
        guard measuring else { return }
        measuredAnswers += 1
        if let roundTripNanoseconds { _ = histogram.record(roundTripNanoseconds) }
        // A read's clock may have been taken just before the measurement began.
        let second = Int((now >= measureStart ? now - measureStart : 0) / 1_000_000_000)
        addSeconds(upTo: second)
        perSecond[second][switchIndex] += 1
    }

    func recordSent(_ count: Int) {
        sent += UInt64(count)
        if measuring { measuredSent += UInt64(count) }
    }

    func recordTimeouts(_ count: Int) {
        timeouts += UInt64(count)
        if measuring { measuredTimeouts += UInt64(count) }
    }

    private func addSeconds(upTo second: Int) {
        while perSecond.count <= second {
            perSecond.append([UInt64](repeating: 0, count: settings.switchCount))
        }
    }

    func startMeasuring() {
        measuring = true
        measuredAnswers = 0
        measuredSent = 0
        measuredTimeouts = 0
        perSecond = []
        histogram.reset()
        measureStart = NIODeadline.now().uptimeNanoseconds
    }

    func stopMeasuring() -> Measurement {
        measuring = false
        let elapsed = NIODeadline.now().uptimeNanoseconds - measureStart
        // Whole seconds only; a second in which nothing at all was answered counts too.
        let wholeSeconds = Int(elapsed / 1_000_000_000)
        if wholeSeconds > 0 { addSeconds(upTo: wholeSeconds - 1) }
        let micro = { (nanoseconds: UInt64) in Double(nanoseconds) / 1000 }
        let latency = BenchReport.Latency(
            p50Microseconds: micro(histogram.valueAtPercentile(50)),
            p90Microseconds: micro(histogram.valueAtPercentile(90)),
            p99Microseconds: micro(histogram.valueAtPercentile(99)), maxMicroseconds: micro(histogram.max))
        return Measurement(
            elapsedSeconds: Double(elapsed) / 1e9, answers: measuredAnswers, latency: latency,
            requestsSent: measuredSent, timeouts: measuredTimeouts,
            answersPerSwitchPerSecond: Array(perSecond.prefix(wholeSeconds)))
    }
}
