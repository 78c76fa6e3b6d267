import ConfigurationFiles
import ControlPlane
import Foundation
import Logging
import NIOCore
import NIOEmbedded
import NIOPosix
import Testing

@testable import Runtime

/// The limits on what connections may hold: handshakes under way on the switch and unit
/// ports, a dialer's pace when its channels keep closing, and the admin API's connections.
@Suite struct BoundedDoorsTests {
    static let logger = Logger(label: "test")

    // MARK: Handshakes under way

    @Test func theGateAdmitsUpToItsLimitAndEachSlotIsGivenBackOnce() throws {
        let gate = HandshakeGate(limit: 2, purpose: "switches", logger: Self.logger)
        let now = NIODeadline.now()
        let first = try #require(gate.admit(now: now))
        let second = try #require(gate.admit(now: now))
        #expect(gate.admit(now: now) == nil)
        #expect(gate.pending == 2)

        // The handshake finished, then the connection closed: one slot back, not two.
        first.release()
        first.release()
        #expect(gate.pending == 1)
        let third = try #require(gate.admit(now: now))
        #expect(gate.admit(now: now) == nil)
        second.release()
        third.release()
        #expect(gate.pending == 0)
    }

    /// A handler that "finishes its handshake" when it reads a byte.
    final class FinishesOnFirstByte: ChannelInboundHandler {
        typealias InboundIn = ByteBuffer
        let slot: HandshakeSlot
        init(slot: HandshakeSlot) { self.slot = slot }
        func channelRead(context: ChannelHandlerContext, data: NIOAny) { slot.release() }
    }

    static func connect(to port: Int, group: any EventLoopGroup) async throws -> any Channel {
        try await ClientBootstrap(group: group).connect(host: "127.0.0.1", port: port).get()
    }

    /// Whether the server closes `channel` within `wait`.
    static func closes(_ channel: any Channel, within wait: Duration) async -> Bool {
        let deadline = ContinuousClock.now + wait
        while channel.isActive, ContinuousClock.now < deadline { try? await Task.sleep(for: .milliseconds(10)) }
        return !channel.isActive
    }

    @Test func aListenerClosesConnectionsBeyondItsHandshakeLimitAtOnce() async throws {
        let server = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let clients = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let listener = try await Listener.bind(
            SocketAddressSpec(host: "127.0.0.1", port: 0), for: "switches", eventLoop: server.next(),
            handshakeLimit: 2, logger: Self.logger
        ) { slot in [FinishesOnFirstByte(slot: slot)] }
        let port = try #require(listener.localAddress?.port)

        let first = try await Self.connect(to: port, group: clients)
        let second = try await Self.connect(to: port, group: clients)
        let third = try await Self.connect(to: port, group: clients)
        #expect(await Self.closes(third, within: .seconds(5)))
        #expect(!(await Self.closes(first, within: .milliseconds(100))))

        // The first one finishes its handshake: its place goes to the next connection.
        try await first.writeAndFlush(ByteBuffer(bytes: [1]))
        try await Task.sleep(for: .milliseconds(200))
        let fourth = try await Self.connect(to: port, group: clients)
        #expect(!(await Self.closes(fourth, within: .milliseconds(300))))
        // The second one closes before finishing: its place is free again too.
        try await second.close()
        try await Task.sleep(for: .milliseconds(200))
        let fifth = try await Self.connect(to: port, group: clients)
        #expect(!(await Self.closes(fifth, within: .milliseconds(300))))
        let sixth = try await Self.connect(to: port, group: clients)
        #expect(await Self.closes(sixth, within: .seconds(5)))

        for channel in [first, fourth, fifth] { try? await channel.close() }
        try await listener.close()
        try await clients.shutdownGracefully()
        try await server.shutdownGracefully()
    }

    // MARK: A dialer whose channels keep closing

    static let backoff = RedialBackoff(initial: .milliseconds(50), maximum: .milliseconds(1000), jitter: 0)

    @Test func channelsThatCloseSoonAfterOpeningBackOffLikeFailedDials() {
        var pacing = RedialPacing(backoff: Self.backoff)
        var now = NIODeadline.uptimeNanoseconds(0)
        var delays: [Int64] = []
        for _ in 0..<7 {
            pacing.opened(now: now)
            now = now + .milliseconds(5)
            let (delay, stayedUp) = pacing.delayAfterClose(now: now, random: 0.5)
            #expect(!stayedUp)
            delays.append(delay.nanoseconds / 1_000_000)
            now = now + delay
        }
        #expect(delays == [50, 100, 200, 400, 800, 1000, 1000])
    }

    @Test func onlyAChannelThatStayedUpStartsTheBackoffOver() {
        var pacing = RedialPacing(backoff: Self.backoff)
        var now = NIODeadline.uptimeNanoseconds(0)
        _ = pacing.delayAfterFailure(random: 0.5)
        _ = pacing.delayAfterFailure(random: 0.5)
        // Connecting is not enough: the next close continues the series.
        pacing.opened(now: now)
        now = now + .milliseconds(900)
        #expect(pacing.delayAfterClose(now: now, random: 0.5).delay == .milliseconds(200))
        // A channel open for longer than the longest delay worked.
        pacing.opened(now: now)
        now = now + .milliseconds(2000)
        let (delay, stayedUp) = pacing.delayAfterClose(now: now, random: 0.5)
        #expect(stayedUp)
        #expect(delay == .milliseconds(50))
        // A close without an opened channel (one that never connected) is no reset either.
        let next = pacing.delayAfterClose(now: now, random: 0.5)
        #expect(next.delay == .milliseconds(100))
        #expect(!next.stayedUp)
    }

    // MARK: Admin connections

    /// Stands for a socket's half-close, which `EmbeddedChannel` makes a full close.
    final class HalfClosingSocket: ChannelOutboundHandler {
        typealias OutboundIn = IOData
        func close(context: ChannelHandlerContext, mode: CloseMode, promise: EventLoopPromise<Void>?) {
            if mode == .output { promise?.succeed() } else { context.close(mode: mode, promise: promise) }
        }
    }

    static func guardedChannel(
        requestTimeout: TimeAmount = .milliseconds(10000)
    ) throws -> (EmbeddedChannel, AdminConnectionGuard.Bounds) {
        var bounds = AdminConnectionGuard.Bounds(requestTimeout: requestTimeout)
        bounds.maximumUnanswered = 100
        bounds.lingerTime = .milliseconds(2000)
        let channel = EmbeddedChannel(
            handlers: [HalfClosingSocket(), AdminConnectionGuard(bounds: bounds, logger: Self.logger)])
        try channel.connect(to: SocketAddress(ipAddress: "127.0.0.1", port: 8644)).wait()
        return (channel, bounds)
    }

    @Test func anAnsweredRequestPassesAndTheConnectionStays() throws {
        let (channel, _) = try Self.guardedChannel()
        for _ in 0..<5 {
            try channel.writeInbound(ByteBuffer(repeating: 0x41, count: 80))
            #expect(try channel.readInbound(as: ByteBuffer.self)?.readableBytes == 80)
            try channel.writeOutbound(IOData.byteBuffer(ByteBuffer(string: "HTTP/1.1 200 OK\r\n\r\n")))
        }
        channel.embeddedEventLoop.advanceTime(by: .milliseconds(60000))
        #expect(channel.isActive)
    }

    @Test func tooMuchUnansweredInputIsDroppedAndTheConnectionClosed() throws {
        let (channel, bounds) = try Self.guardedChannel()
        try channel.writeInbound(ByteBuffer(repeating: 0x41, count: 80))
        try channel.writeInbound(ByteBuffer(repeating: 0x41, count: 80))
        #expect(try channel.readInbound(as: ByteBuffer.self)?.readableBytes == 80)
        #expect(try channel.readInbound(as: ByteBuffer.self) == nil)
        // An answer under way still goes out; then the connection closes in full.
        try channel.writeOutbound(IOData.byteBuffer(ByteBuffer(string: "HTTP/1.1 400 Bad Request\r\n\r\n")))
        #expect(try channel.readOutbound(as: IOData.self) != nil)
        channel.embeddedEventLoop.advanceTime(by: bounds.lingerTime)
        #expect(!channel.isActive)
    }

    @Test func aRequestDrippedSlowerThanTheTimeoutIsClosed() throws {
        let (channel, _) = try Self.guardedChannel(requestTimeout: .milliseconds(3000))
        for _ in 0..<2 {
            try channel.writeInbound(ByteBuffer(string: "G"))
            channel.embeddedEventLoop.advanceTime(by: .milliseconds(1000))
        }
        #expect(channel.isActive)
        channel.embeddedEventLoop.advanceTime(by: .milliseconds(1000))
        #expect(!channel.isActive)
    }

    @Test func afterTheServerClosesItsSideTheClientIsReadForAWhileThenClosed() throws {
        let (channel, bounds) = try Self.guardedChannel()
        // Hummingbird half-closes after a last answer.
        channel.pipeline.close(mode: .output, promise: nil)
        try channel.writeInbound(ByteBuffer(repeating: 0x41, count: 500))
        #expect(try channel.readInbound(as: ByteBuffer.self) == nil)
        channel.embeddedEventLoop.advanceTime(by: bounds.lingerTime - .milliseconds(1))
        #expect(channel.isActive)
        channel.embeddedEventLoop.advanceTime(by: .milliseconds(1))
        #expect(!channel.isActive)
    }

    @Test func aClientThatClosesItsSideWhileLingeringIsClosedAtOnce() throws {
        let (channel, _) = try Self.guardedChannel()
        channel.pipeline.close(mode: .output, promise: nil)
        channel.pipeline.fireUserInboundEventTriggered(ChannelEvent.inputClosed)
        #expect(!channel.isActive)
    }

    // MARK: Configuration

    @Test func theDefaultsKeepUnauthenticatedChannelsOnLoopback() {
        let standard = UnitConfiguration.standard
        #expect(standard.switches.listen == SocketAddressSpec(host: "0.0.0.0", port: 6633))
        #expect(standard.units.listen == SocketAddressSpec(host: "127.0.0.1", port: 6644))
        #expect(standard.admin.listen == SocketAddressSpec(host: "127.0.0.1", port: 8644))
        #expect(standard.switches.maxPendingHandshakes == 256)
        #expect(standard.units.maxPendingHandshakes == 256)
        #expect(standard.admin.maxConnections == 64)
        #expect(standard.admin.idleTimeout == 10)
    }

    @Test func theLimitsAreReadAndChecked() throws {
        let json = """
            {"name": "u", "switches": {"maxPendingHandshakes": 8}, "units": {"maxPendingHandshakes": 4},
             "admin": {"maxConnections": 2, "idleTimeout": 0.5}}
            """
        let configuration = try JSONDecoder().decode(UnitConfiguration.self, from: Data(json.utf8))
        #expect(configuration.switches.maxPendingHandshakes == 8)
        #expect(configuration.units.maxPendingHandshakes == 4)
        #expect(configuration.admin.maxConnections == 2)
        #expect(configuration.admin.idleTimeout == 0.5)
        for bad in [
            #"{"name": "u", "switches": {"maxPendingHandshakes": 0}}"#,
            #"{"name": "u", "units": {"maxPendingHandshakes": 100000}}"#,
            #"{"name": "u", "admin": {"maxConnections": 0}}"#,
            #"{"name": "u", "admin": {"idleTimeout": 0}}"#,
        ] {
            #expect(throws: DecodingError.self) {
                try JSONDecoder().decode(UnitConfiguration.self, from: Data(bad.utf8))
            }
        }
    }

    @Test(arguments: [
        ("127.0.0.1", false), ("127.1.2.3", false), ("::1", false), ("localhost", false), ("0.0.0.0", true),
        ("10.0.0.2", true), ("::", true), ("controller.example", true),
    ])
    func anAdminAPIOffLoopbackNeedsAToken(host: String, needsToken: Bool) {
        #expect(AdminSettings(listen: SocketAddressSpec(host: host, port: 8644)).needsAuthentication == needsToken)
    }
}
