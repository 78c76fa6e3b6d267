import Foundation
import OpenFlow
import Testing

@testable import echelon_bench

/// The generator's switches against `FakeController` on loopback. These assert what the load
/// does (goes on, waits), never how fast it goes.
@Suite(.serialized) struct LoadGeneratorTests {
    /// Runs `body` with switches connected to a fake controller, and closes both afterwards.
    private func withLoad<Result: Sendable>(
        _ settings: LoadSettings, answering: FakeController.Answering, reading: Bool = true,
        _ body: (LoadSession, FakeController) async throws -> Result
    ) async throws -> Result {
        let controller = try await FakeController.start(answering: answering, reading: reading)
        let session: LoadSession
        do {
            session = try await LoadSession.connect(
                host: "127.0.0.1", port: controller.port, settings: settings, handshakeTimeout: 10)
        } catch {
            await controller.stop()
            throw error
        }
        let result: Swift.Result<Result, any Error>
        do { result = .success(try await body(session, controller)) } catch { result = .failure(error) }
        await session.close()
        await controller.stop()
        return try result.get()
    }

    private func closedLoop(switches: Int, window: Int) -> LoadSettings {
        LoadSettings(
            switchCount: switches, macsPerSwitch: 10, outstanding: window, learnOnly: false,
            requestTimeoutNanoseconds: 200_000_000)
    }

    /// Every other request dropped: without the timeout each switch's window would hold only
    /// dropped requests within a few round trips and the load would stop for good; with it,
    /// every switch is answered in every whole second measured, after the warm-up.
    @Test func closedLoopGoesOnWhenRequestsAreDropped() async throws {
        let measured = try await withLoad(closedLoop(switches: 3, window: 4), answering: .everyOther) { session, _ in
            try await session.measure(warmup: 0.5, duration: 1.1)
        }
        #expect(measured.timeouts > 0)
        #expect(measured.answers > 0)
        let perSecond = try #require(measured.perSecond)
        #expect(perSecond.seconds == 1)
        #expect(perSecond.silentSwitchSeconds == 0)
        #expect(perSecond.worstSecondRatio > 0)
    }

    /// A controller that answers nothing: the switches go on sending, one window per timeout,
    /// and the per-second figures show every switch silent.
    @Test func closedLoopGoesOnSendingToASilentController() async throws {
        let measured = try await withLoad(closedLoop(switches: 2, window: 4), answering: .none) { session, _ in
            try await session.measure(warmup: 0.3, duration: 1.05)
        }
        #expect(measured.answers == 0)
        #expect(measured.requestsSent > 0)
        #expect(measured.timeouts > 0)
        let perSecond = try #require(measured.perSecond)
        #expect(perSecond.silentSwitchSeconds == 2)
        #expect(perSecond.worstSecondRatio == 0)
    }

    /// Open loop: requests go out whether or not they are answered, so against a controller
    /// that answers half of them more are sent than answered. (Counted from the start: within a
    /// measured period the answers may include the backlog of requests sent before it.)
    @Test func openLoopSendsMoreThanAHalfAnsweringControllerAnswers() async throws {
        var settings = LoadSettings(switchCount: 2, macsPerSwitch: 10, outstanding: 1, learnOnly: false)
        settings.openLoop = true
        let (measured, sent, answered) = try await withLoad(settings, answering: .everyOther) { session, _ in
            let measured = try await session.measure(warmup: 0.3, duration: 1.05)
            let (sent, answered) = try await session.read { ($0.sent, $0.answered) }
            return (measured, sent, answered)
        }
        #expect(answered > 0)
        #expect(sent > answered)
        // The load went on through the measured period. A controller slower than the generator
        // (a debug build on a busy machine) may spend all of it on the backlog of the sockets,
        // which the warm-up filled: answers then, and no request written.
        #expect(measured.answers + measured.requestsSent > 0)
        #expect(measured.timeouts == 0)
        let perSecond = try #require(measured.perSecond)
        #expect(perSecond.silentSwitchSeconds == 0)
    }

    /// Open loop against a controller that reads nothing: once the sockets are full the
    /// switches stop writing (the requests wait in the socket, not in the generator's memory);
    /// when it reads again they write on, and are answered.
    @Test func openLoopWritesWaitForAControllerThatDoesNotRead() async throws {
        var settings = LoadSettings(switchCount: 2, macsPerSwitch: 10, outstanding: 1, learnOnly: false)
        settings.openLoop = true
        try await withLoad(settings, answering: .everyOther, reading: false) { session, controller in
            var sent = try await session.read { $0.sent }
            var stalled = false
            for _ in 0..<40 where !stalled {
                try await Task.sleep(for: .milliseconds(250))
                let now = try await session.read { $0.sent }
                stalled = now == sent && now > 0
                sent = now
            }
            #expect(stalled)
            #expect(try await session.read { $0.answered } == 0)
            // No window: each switch wrote until its socket was full, well past any window.
            #expect(sent > 1000 * UInt64(settings.switchCount))
            try await controller.resumeReading()
            let stalledAt = sent
            let resumed = try await session.waitUntil(timeout: 10) { $0.sent > stalledAt && $0.answered > 0 }
            #expect(resumed)
        }
    }

    /// With unknown destinations, no PACKET_IN is for a MAC any switch sends from.
    @Test func unknownDestinationsAreNoSwitchsSources() throws {
        func macs(_ unknown: Bool) -> (sources: Set<[UInt8]>, destinations: Set<[UInt8]>) {
            var sources = Set<[UInt8]>()
            var destinations = Set<[UInt8]>()
            for index in 0..<4 {
                for number in 0..<20 {
                    let bytes = EmulatedSwitch.packetIn(
                        index: index, number: number, macs: 10, buffer: 0, unknownDestination: unknown)
                    let data = PacketIn.Offset.data
                    destinations.insert(Array(bytes[data..<data + 6]))
                    sources.insert(Array(bytes[data + 6..<data + 12]))
                }
            }
            return (sources, destinations)
        }
        let known = macs(false)
        #expect(known.destinations.isSubset(of: known.sources), "by default every destination is a host learned")
        let unknown = macs(true)
        #expect(unknown.sources == known.sources)
        #expect(unknown.destinations.isDisjoint(with: unknown.sources))
        #expect(unknown.destinations.count == known.destinations.count)
    }
}
