import NIOCore
import NIOPosix

/// A fleet of emulated switches connected to a controller, on one event loop of its own.
struct LoadSession {
    let settings: LoadSettings
    let load: NIOLoopBound<LoadState>
    private let group: MultiThreadedEventLoopGroup
    private let loop: any EventLoop
    private let channels: [any Channel]

    struct HandshakeTimeout: Error, CustomStringConvertible {
        var ready: Int
        var switches: Int
        var seconds: Double
        var description: String {
            "only \(ready) of \(switches) switches completed the handshake in \(Int(seconds)) s"
        }
    }

    /// Connects the switches and waits until each has been configured by the controller.
    static func connect(
        host: String, port: Int, settings: LoadSettings, handshakeTimeout: Double = 30
    ) async throws -> LoadSession {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        do {
            let loop = group.next()
            let load = try await loop.submit { NIOLoopBound(LoadState(settings: settings), eventLoop: loop) }.get()
            let channels = try await EmulatedSwitchFleet.connect(
                host: host, port: port, settings: settings, load: load, eventLoop: loop)
            let session = LoadSession(settings: settings, load: load, group: group, loop: loop, channels: channels)
            guard try await session.waitUntil(timeout: handshakeTimeout, { $0.readySwitches >= settings.switchCount })
            else {
                let ready = try await session.read { $0.readySwitches }
                await session.close()
                throw HandshakeTimeout(ready: ready, switches: settings.switchCount, seconds: handshakeTimeout)
            }
            return session
        } catch {
            try? await group.shutdownGracefully()
            throw error
        }
    }

    /// Runs the load for `warmup` seconds, then measures it for `duration` seconds.
    func measure(warmup: Double, duration: Double) async throws -> Measurement {
        try await Task.sleep(for: .seconds(warmup))
        try await read { $0.startMeasuring() }
        try await Task.sleep(for: .seconds(duration))
        return try await read { $0.stopMeasuring() }
    }

    /// Runs `body` on the switches' event loop with their shared counters.
    func read<Value: Sendable>(_ body: @escaping @Sendable (LoadState) -> Value) async throws -> Value {
        let load = load
        return try await loop.submit { body(load.value) }.get()
    }

    /// Polls `condition` every 50 ms until it holds (true) or `timeout` seconds pass (false).
    func waitUntil(timeout: Double, _ condition: @escaping @Sendable (LoadState) -> Bool) async throws -> Bool {
        let deadline = NIODeadline.now() + .milliseconds(Int64(timeout * 1000))
        while NIODeadline.now() < deadline {
            if try await read(condition) { return true }
            try await Task.sleep(for: .milliseconds(50))
        }
        return false
    }

    /// Starts the switches' own load, when it was deferred (`LoadSettings.deferredStart`).
    func beginLoad() async throws {
        try await read { $0.beginLoad() }
    }

    /// Path-setup mode: starts setting up host pairs, runs for `warmup` seconds, then measures
    /// for `duration` seconds.
    func measurePathSetup(warmup: Double, duration: Double) async throws -> PathSetupMeasurement? {
        let loop = loop
        guard try await read({ $0.pathSetup != nil }) else { return nil }
        try await read { $0.pathSetup?.start(on: loop) }
        try await Task.sleep(for: .seconds(warmup))
        try await read { $0.pathSetup?.startMeasuring() }
        try await Task.sleep(for: .seconds(duration))
        return try await read { $0.pathSetup?.stopMeasuring() }
    }

    /// Disconnects the switches and stops their event loop.
    func close() async {
        try? await read { $0.stop() }
        for channel in channels { try? await channel.close() }
        try? await group.shutdownGracefully()
    }
}
