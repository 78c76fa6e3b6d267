import ArgumentParser
import Foundation
import NIOCore
import NIOPosix

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
            per switch and counts answers per second; latency mode keeps one outstanding and \
            reports round-trip percentiles. Learn mode sends every MAC once and stays connected, \
            for measuring the controller's memory with many switches and hosts.
            """
    )

    enum Mode: String, ExpressibleByArgument, CaseIterable {
        case throughput, latency, learn, filters
        case tierPath = "tier-path"
    }

    @Option(help: "The controller's switch address.")
    var controller = "127.0.0.1:6633"

    @Option(
        help: """
            throughput, latency or learn; or, with no controller: filters (matching against --rules filter rules), \
            tier-path (the two tiers' and the single unit's code for a DIVERTed PACKET_IN, in this process).
            """)
    var mode: Mode = .throughput

    @Option(help: "Emulated switches.")
    var switches = 16

    @Option(help: "Distinct source MACs per switch.")
    var macs = 1000

    @Option(help: "Requests outstanding per switch (throughput mode).")
    var window = 32

    @Option(help: "Seconds measured.")
    var duration = 10.0

    @Option(help: "Seconds of load before measuring.")
    var warmup = 2.0

    @Option(help: "Filter rules installed (filters mode).")
    var rules = 10_000

    @Flag(help: "Print the result as JSON.")
    var json = false

    func validate() throws {
        guard switches > 0, macs > 0, window > 0, duration > 0, warmup >= 0 else {
            throw ValidationError("--switches, --macs, --window and --duration must be positive")
        }
        guard parsedController != nil else { throw ValidationError("--controller: expected host:port") }
    }

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
            let result = try TierPathBenchmark.run(switches: switches, macs: macs, window: window, duration: duration)
            if json {
                print(String(decoding: try JSONEncoder().encode(result), as: UTF8.self))
            } else {
                let format = { (value: Double) in String(format: "%.0f", value) }
                print(
                    "tier path in one process: \(result.events) events (\(switches) switches x \(macs) MACs, rounds of \(window) per switch)"
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
        let settings = LoadSettings(
            switchCount: switches, macsPerSwitch: macs,
            outstanding: mode == .latency ? 1 : mode == .learn ? 1 : window,
            learnOnly: mode == .learn)
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let loop = group.next()
        let load = try await loop.submit { NIOLoopBound(LoadState(settings: settings), eventLoop: loop) }.get()

        let connected = try await EmulatedSwitchFleet.connect(
            host: host, port: port, settings: settings, load: load, eventLoop: loop)
        let ready = try await waitUntil(timeout: 30, loop: loop) { load.value.readySwitches >= settings.switchCount }
        guard ready else {
            let count = try await loop.submit { load.value.readySwitches }.get()
            throw ValidationError("only \(count) of \(settings.switchCount) switches completed the handshake in 30 s")
        }

        let report: BenchReport
        switch mode {
        case .learn:
            let done = try await waitUntil(timeout: 120, loop: loop) {
                load.value.answered >= UInt64(settings.switchCount * settings.macsPerSwitch)
            }
            let answered = try await loop.submit { load.value.answered }.get()
            report = BenchReport(
                mode: mode.rawValue, switches: switches, answersPerSecond: nil, samples: answered, latency: nil,
                complete: done)
            emit(report)
            // Stay connected so the controller's memory can be read with everything learnt.
            try await Task.sleep(for: .seconds(duration))
        case .filters, .tierPath:
            return
        case .throughput, .latency:
            try await Task.sleep(for: .seconds(warmup))
            let start = try await loop.submit { load.value.startMeasuring() }.get()
            try await Task.sleep(for: .seconds(duration))
            let (answered, histogram) = try await loop.submit { load.value.stopMeasuring() }.get()
            let elapsed = Double((NIODeadline.now() - start).nanoseconds) / 1e9
            report = BenchReport(
                mode: mode.rawValue, switches: switches, answersPerSecond: Double(answered) / elapsed,
                samples: answered,
                latency: mode == .latency ? histogram : nil, complete: true)
            emit(report)
        }
        for channel in connected { try? await channel.close() }
        try await group.shutdownGracefully()
    }

    private func emit(_ report: BenchReport) {
        if json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys]
            print(String(decoding: (try? encoder.encode(report)) ?? Data(), as: UTF8.self))
        } else {
            print(report.text)
        }
    }

    private func waitUntil(
        timeout: Double, loop: any EventLoop, _ condition: @escaping @Sendable () -> Bool
    ) async throws -> Bool {
        let deadline = NIODeadline.now() + .milliseconds(Int64(timeout * 1000))
        while NIODeadline.now() < deadline {
            if try await loop.submit(condition).get() { return true }
            try await Task.sleep(for: .milliseconds(50))
        }
        return false
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

    var text: String {
        var lines = ["mode: \(mode), switches: \(switches), answers: \(samples)"]
        if let answersPerSecond { lines.append("throughput: \(Int(answersPerSecond.rounded())) answers/s") }
        if let latency {
            lines.append(
                String(
                    format: "latency: p50 %.1f µs, p90 %.1f µs, p99 %.1f µs, max %.1f µs",
                    latency.p50Microseconds, latency.p90Microseconds, latency.p99Microseconds, latency.maxMicroseconds))
        }
        if !complete { lines.append("incomplete: not every request was answered in time") }
        return lines.joined(separator: "\n")
    }
}
