import ArgumentParser
import Foundation

/// `echelon-bench`: emulates OpenFlow 1.0 switches against a controller and measures how fast
/// it answers their PACKET_INs, in the manner of cbench.
@main
struct BenchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "echelon-bench",
        abstract: "OpenFlow 1.0 load generator: emulated switches send PACKET_INs and count the answers.",
        discussion: """
            Each emulated switch completes the OpenFlow handshake, then sends PACKET_INs carrying \
            UDP frames from its own pool of source MACs. An answer is a FLOW_MOD or PACKET_OUT \
            naming the PACKET_IN's buffer id. Throughput mode keeps --window requests outstanding \
            per switch (a closed loop) and counts answers per second; with --open-loop each switch \
            instead writes PACKET_INs whenever its socket takes them, with no window, as cbench's \
            throughput mode does, and the requests sent are counted next to the answers. Latency \
            mode keeps one request outstanding and reports round-trip percentiles. In the closed \
            loop a request unanswered after --request-timeout seconds is given up on (and counted) \
            and its slot refilled, so a dropped request never silences a switch. Throughput and \
            latency modes also count each switch's answers in each whole second measured and \
            report the switches' lowest, median and highest answers/s, and the worst second: the \
            lowest ratio, in any second, of the slowest switch's answers to the median switch's. \
            Learn mode sends every MAC once and stays connected, for measuring the controller's \
            memory with many switches and hosts; with --links the switches are also joined by \
            cables that carry the controller's LLDP probes, and the MACs come in by host ports. \
            Path-setup mode joins --path-length + 1 switches in a line, with host A_k at one end \
            and B_k at the other for each pair k: once the controller knows every link, it keeps \
            --window pairs in flight (B_k's broadcast, then A_k's frame to B_k) and counts a pair \
            set up when every switch has had the FLOW_MODs of both directions.
            """
    )

    enum Mode: String, ExpressibleByArgument, CaseIterable {
        case throughput, latency, learn, filters
        case tierPath = "tier-path"
        case pathSetup = "path-setup"
    }

    @Option(help: "The controller's switch address.")
    var controller = "127.0.0.1:6633"

    @Option(
        help: """
            throughput, latency, learn or path-setup; or, with no controller: filters (matching against --rules \
            filter rules), tier-path (the two tiers' and the single unit's code for a DIVERTed PACKET_IN, in this process).
            """)
    var mode: Mode = .throughput

    @Option(help: "Emulated switches (path-setup mode: --path-length + 1, whatever this says).")
    var switches = 16

    @Option(help: "Distinct source MACs per switch.")
    var macs = 1000

    @Option(help: "The first switch's DPID; the others follow (runs against one unit at once need DPIDs apart).")
    var firstDpid: UInt64 = 1

    @Option(
        help: """
            Requests outstanding per switch (throughput mode, closed loop; default 32); host pairs in flight \
            (path-setup mode; default 64).
            """)
    var window: Int?

    @Option(help: "Links on the line of switches (path-setup mode): each path crosses them all.")
    var pathLength = 6

    @Option(
        help: """
            Learn mode: cables between random pairs of switches (the same ones in every run), which carry the \
            controller's LLDP probes; each switch has a port per cable and 4 host ports after them.
            """)
    var links = 0

    @Option(
        help: """
            The unit's admin API (host:port). Path-setup mode, and learn mode with --links, wait until its graph \
            (GET /topology) holds every link; without it, until every cable has carried a probe each way, and a \
            second more.
            """)
    var admin: String?

    @Option(help: "Seconds to wait for the controller to know every link.")
    var graphTimeout = 60.0

    @Flag(
        help: """
            Throughput mode, open loop: each switch writes PACKET_INs as long as its socket takes them, \
            with no window (--window is ignored); no latency figures.
            """)
    var openLoop = false

    @Flag(
        help: """
            Throughput mode: every PACKET_IN is for a destination no switch sends from, so that a \
            resolver's client at the unit asks about each one (keep its negative answers 0 s).
            """)
    var unknownDestinations = false

    @Option(
        help: """
            Seconds after which an unanswered request is given up on and its slot refilled \
            (throughput and latency modes, closed loop).
            """)
    var requestTimeout = 1.0

    @Option(help: "Seconds measured.")
    var duration = 10.0

    @Option(help: "Seconds of load before measuring.")
    var warmup = 2.0

    @Option(help: "Filter rules installed (filters mode).")
    var rules = 10_000

    @Flag(help: "Print the result as JSON.")
    var json = false

    func validate() throws {
        guard switches > 0, macs > 0, outstanding > 0, duration > 0, warmup >= 0, requestTimeout > 0, graphTimeout > 0
        else {
            throw ValidationError(
                "--switches, --macs, --window, --duration, --request-timeout and --graph-timeout must be positive")
        }
        guard outstanding <= Self.maximumWindow else {
            throw ValidationError("--window: at most \(Self.maximumWindow)")
        }
        guard !openLoop || mode == .throughput else { throw ValidationError("--open-loop: throughput mode only") }
        guard parsedController != nil else { throw ValidationError("--controller: expected host:port") }
        guard (1...Self.maximumPathLength).contains(pathLength) else {
            throw ValidationError("--path-length: 1 to \(Self.maximumPathLength)")
        }
        guard links >= 0, links == 0 || mode == .learn else {
            throw ValidationError("--links: learn mode only, and not negative")
        }
        guard links == 0 || learnFabric != nil else {
            throw ValidationError("--links: \(switches) switches cannot be joined by \(links) distinct cables")
        }
        guard admin == nil || adminAPI != nil else { throw ValidationError("--admin: expected host:port") }
    }

    /// A pair's FLOW_MODs are kept as one bit per switch and direction in 64 bits.
    static let maximumPathLength = 31

    /// `--window`, or its default for the mode.
    var outstanding: Int { window ?? (mode == .pathSetup ? 64 : 32) }

    /// Host ports of each switch of learn mode's fabric.
    static let learnHostPorts = 4

    /// Learn mode with --links: the cables, drawn from a fixed seed.
    var learnFabric: Fabric? {
        Fabric.random(switches: switches, links: links, hostPorts: Self.learnHostPorts, seed: 0x6563_6865_6c6f_6e)
    }

    var adminAPI: AdminAPI? { admin.flatMap { AdminAPI($0) } }

    /// Half the ring of buffer ids a switch keeps (`RequestRing`), so that a full window never
    /// overwrites its own requests.
    static let maximumWindow = 1 << 15

    var parsedController: (host: String, port: Int)? {
        guard let colon = controller.lastIndex(of: ":"), let port = Int(controller[controller.index(after: colon)...])
        else { return nil }
        return (String(controller[..<colon]), port)
    }

    func run() async throws {
        if mode == .filters {
            let result = try FilterBenchmark.run(rules: rules, events: 2_000_000)
            if json {
                print(String(decoding: try JSONEncoder().encode(result), as: UTF8.self))
            } else {
                print("filters: \(result.rules) rules (\(result.conjunctions) conjunctions), \(result.events) events")
                print(
                    "match: \(String(format: "%.0f", result.nanosecondsPerEvent)) ns per event, \(String(format: "%.2f", result.matchesPerEvent)) services matched per event"
                )
            }
            return
        }
        if mode == .tierPath {
            let result = try TierPathBenchmark.run(
                switches: switches, macs: macs, window: outstanding, duration: duration)
            if json {
                print(String(decoding: try JSONEncoder().encode(result), as: UTF8.self))
            } else {
                let format = { (value: Double) in String(format: "%.0f", value) }
                print(
                    "tier path in one process: \(result.events) events (\(switches) switches x \(macs) MACs, rounds of \(outstanding) per switch)"
                )
                print("single unit: \(format(result.localNanosecondsPerEvent)) ns per event")
                let tier1 = result.tier1EventNanosecondsPerEvent + result.tier1ReturnNanosecondsPerEvent
                print(
                    "two tiers:   tier 1 \(format(tier1)) ns (event \(format(result.tier1EventNanosecondsPerEvent)), return \(format(result.tier1ReturnNanosecondsPerEvent))) + tier 2 \(format(result.tier2NanosecondsPerEvent)) ns per event"
                )
                print(
                    "single unit against the two tiers' sum, x2 (the share two tiers on two cores would keep): \(format(result.localShareOfTwoTiers * 100)) %"
                )
            }
            return
        }
        guard let (host, port) = parsedController else { return }
        var settings = LoadSettings(
            switchCount: switches, macsPerSwitch: macs,
            outstanding: mode == .latency ? 1 : mode == .learn ? 1 : outstanding,
            learnOnly: mode == .learn, openLoop: openLoop, unknownDestinations: unknownDestinations,
            requestTimeoutNanoseconds: mode == .learn || openLoop ? nil : UInt64(requestTimeout * 1e9))
        settings.firstDatapathID = firstDpid
        if mode == .pathSetup {
            let fabric = Fabric.line(links: pathLength)
            settings.switchCount = fabric.switchCount
            settings.fabric = fabric
            settings.pathSetup = PathSetupSettings(
                window: outstanding, timeoutNanoseconds: UInt64(requestTimeout * 1e9))
            settings.deferredStart = true
        } else if links > 0 {
            settings.fabric = learnFabric
            settings.deferredStart = true
        }
        let session: LoadSession
        do {
            session = try await LoadSession.connect(host: host, port: port, settings: settings)
        } catch let error as LoadSession.HandshakeTimeout {
            throw ValidationError(error.description)
        }

        switch mode {
        case .learn:
            var graph: LinkWait.Outcome?
            if let fabric = settings.fabric {
                // Hosts are taught once the unit knows every cable: it learns them on ports it
                // knows to have none.
                graph = try await LinkWait.untilKnown(
                    links: fabric.linkCount, admin: adminAPI, session: session, timeout: graphTimeout)
                try await session.beginLoad()
            }
            let taught = UInt64(settings.switchCount * settings.macsPerSwitch)
            let done = try await session.waitUntil(timeout: 120) { $0.answered >= taught }
            let answered = try await session.read { $0.answered }
            var report = BenchReport(
                mode: mode.rawValue, switches: switches, answersPerSecond: nil, samples: answered, latency: nil,
                complete: done && graph?.complete != false)
            if let graph {
                report.links = links
                report.graphSeconds = graph.seconds
                report.graphLinks = graph.links
                if let status = try? await adminAPI?.get("/status", as: AdminAPI.Status.self) {
                    report.linkDirectionsHeld = status.links
                    report.hostsHeld = status.hosts
                }
            }
            emit(report)
            // Stay connected so the controller's memory can be read with everything learnt.
            try await Task.sleep(for: .seconds(duration))
        case .pathSetup:
            let graph = try await LinkWait.untilKnown(
                links: pathLength, admin: adminAPI, session: session, timeout: graphTimeout)
            var report = PathSetupReport(
                switches: settings.switchCount, window: outstanding, requestTimeoutSeconds: requestTimeout, graph: graph
            )
            if graph.complete, let measured = try await session.measurePathSetup(warmup: warmup, duration: duration) {
                report.add(measured)
            }
            emit(report, text: report.text)
            if !graph.complete, let lastError = graph.lastError {
                FileHandle.standardError.write(Data("echelon-bench: the admin API: \(lastError)\n".utf8))
            }
        case .filters, .tierPath:
            break
        case .throughput, .latency:
            let measured = try await session.measure(warmup: warmup, duration: duration)
            emit(
                BenchReport(
                    measured, mode: mode.rawValue, switches: switches, latency: mode == .latency,
                    window: openLoop ? nil : settings.outstanding,
                    requestTimeoutSeconds: openLoop ? nil : requestTimeout))
        }
        await session.close()
    }

    private func emit(_ report: BenchReport) { emit(report, text: report.text) }

    /// Prints a report: as JSON with `--json`, else as `text`.
    private func emit(_ report: some Encodable, text: String) {
        if json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys]
            print(String(decoding: (try? encoder.encode(report)) ?? Data(), as: UTF8.self))
        } else {
            print(text)
        }
        // Now, not at exit: a script waits for this line (learn mode) to read the controller's
        // memory while the switches are still connected, and a file is not line-buffered.
        fflush(nil)
    }
}

struct BenchReport: Encodable {
    struct Latency: Encodable {
        var p50Microseconds: Double
        var p90Microseconds: Double
        var p99Microseconds: Double
        var maxMicroseconds: Double
    }

    var mode: String
    var switches: Int
    var answersPerSecond: Double?
    var samples: UInt64
    var latency: Latency?
    var complete: Bool
    /// Throughput mode with no window: requests written whenever the socket takes them.
    var openLoop = false
    /// Closed loop: requests kept outstanding per switch.
    var window: Int? = nil
    /// PACKET_INs written in the measured period, and per second.
    var requestsSent: UInt64? = nil
    var requestsPerSecond: Double? = nil
    /// Closed loop: requests given up on, unanswered after `requestTimeoutSeconds`, in the
    /// measured period.
    var timeouts: UInt64? = nil
    var requestTimeoutSeconds: Double? = nil
    /// Answers per second over the whole seconds measured, in total and per switch.
    var perSecond: PerSecondStats? = nil
    /// Learn mode with cables: how many, the seconds until the unit's graph held them all
    /// (or until giving up), and the links it held then.
    var links: Int? = nil
    var graphSeconds: Double? = nil
    var graphLinks: Int? = nil
    /// Learn mode with cables and the admin API, once every MAC was answered: link
    /// discovery's links (each direction of a cable once) and the hosts the unit tracks.
    var linkDirectionsHeld: Int? = nil
    var hostsHeld: Int? = nil

    init(
        mode: String, switches: Int, answersPerSecond: Double?, samples: UInt64, latency: Latency?, complete: Bool
    ) {
        self.mode = mode
        self.switches = switches
        self.answersPerSecond = answersPerSecond
        self.samples = samples
        self.latency = latency
        self.complete = complete
    }

    /// The report of a measured period: `window` and `requestTimeoutSeconds` are nil in the open
    /// loop; latency percentiles are given when `latency` is true (latency mode).
    init(
        _ measured: Measurement, mode: String, switches: Int, latency: Bool, window: Int?,
        requestTimeoutSeconds: Double?
    ) {
        self.init(
            mode: mode, switches: switches, answersPerSecond: Double(measured.answers) / measured.elapsedSeconds,
            samples: measured.answers, latency: latency ? measured.latency : nil, complete: true)
        self.openLoop = window == nil
        self.window = window
        self.requestsSent = measured.requestsSent
        self.requestsPerSecond = Double(measured.requestsSent) / measured.elapsedSeconds
        if window != nil {
            self.timeouts = measured.timeouts
            self.requestTimeoutSeconds = requestTimeoutSeconds
        }
        self.perSecond = measured.perSecond
    }

    var text: String {
        let whole = { (value: Double) in String(Int(value.rounded())) }
        var lines = ["mode: \(mode)\(openLoop ? " (open loop)" : ""), switches: \(switches), answers: \(samples)"]
        if let answersPerSecond { lines.append("throughput: \(whole(answersPerSecond)) answers/s") }
        if let requestsSent, let requestsPerSecond {
            let answered = requestsSent > 0 ? Double(samples) / Double(requestsSent) * 100 : 0
            lines.append(
                "requests: \(requestsSent) sent (\(whole(requestsPerSecond))/s), \(String(format: "%.1f", answered)) % answered"
            )
        }
        if let perSecond {
            lines.append(
                "per second over \(perSecond.seconds) whole s: \(whole(perSecond.answersPerSecond)) answers/s; per switch "
                    + "min \(whole(perSecond.switchMinimum)), median \(whole(perSecond.switchMedian)), "
                    + "max \(whole(perSecond.switchMaximum)) answers/s")
            lines.append(
                "worst second (#\(perSecond.worstSecond)): slowest switch at "
                    + "\(String(format: "%.2f", perSecond.worstSecondRatio)) of the median; "
                    + "\(perSecond.silentSwitchSeconds) switch-seconds without an answer")
        } else if answersPerSecond != nil {
            lines.append("per second: no whole second measured")
        }
        if let window, let timeouts, let requestTimeoutSeconds {
            lines.append(
                "closed loop: \(window) outstanding per switch; \(timeouts) requests given up after "
                    + "\(String(format: "%g", requestTimeoutSeconds)) s unanswered")
        }
        if let latency {
            lines.append(
                String(
                    format: "latency: p50 %.1f µs, p90 %.1f µs, p99 %.1f µs, max %.1f µs",
                    latency.p50Microseconds, latency.p90Microseconds, latency.p99Microseconds, latency.maxMicroseconds))
        }
        if let links, let graphSeconds, let graphLinks {
            lines.append(
                "fabric: \(links) cables; the unit's graph held \(graphLinks) links after "
                    + String(format: "%.1f", graphSeconds) + " s")
        }
        if let linkDirectionsHeld, let hostsHeld {
            lines.append("once learnt: the unit holds \(linkDirectionsHeld) link directions and \(hostsHeld) hosts")
        }
        if !complete { lines.append("incomplete: not every request was answered in time") }
        return lines.joined(separator: "\n")
    }
}
