import NIOCore
import NIOPosix
import OpenFlow

/// A controller of the tests' own on loopback: it configures each switch as soon as it
/// connects (HELLO, FEATURES_REQUEST, SET_CONFIG) and answers its PACKET_INs, or some of
/// them, with PACKET_OUTs naming their buffers; it may also leave the sockets unread.
struct FakeController {
    enum Answering: Sendable {
        /// The 2nd, 4th, 6th… PACKET_IN of each connection.
        case everyOther
        case none
    }

    let port: Int
    private let group: MultiThreadedEventLoopGroup
    private let server: any Channel
    private let connections: NIOLoopBound<Connections>

    private final class Connections {
        var channels: [any Channel] = []
    }

    /// Listens on a free loopback port; with `reading` false it reads nothing until
    /// `resumeReading()`.
    static func start(answering: Answering, reading: Bool = true) async throws -> FakeController {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let loop = group.next()
        let connections = try await loop.submit { NIOLoopBound(Connections(), eventLoop: loop) }.get()
        do {
            let server = try await ServerBootstrap(group: group)
                .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
                .childChannelOption(.autoRead, value: reading)
                .childChannelInitializer { channel in
                    channel.eventLoop.makeCompletedFuture {
                        try channel.pipeline.syncOperations.addHandler(ByteToMessageHandler(OpenFlowFrameDecoder()))
                        try channel.pipeline.syncOperations.addHandler(Handler(answering: answering))
                        connections.value.channels.append(channel)
                    }
                }
                .bind(host: "127.0.0.1", port: 0)
                .get()
            guard let port = server.localAddress?.port else {
                try? await server.close()
                throw ChannelError.unknownLocalAddress
            }
            return FakeController(port: port, group: group, server: server, connections: connections)
        } catch {
            try? await group.shutdownGracefully()
            throw error
        }
    }

    /// Starts reading the switches' sockets again.
    func resumeReading() async throws {
        let connections = connections
        try await group.next().submit {
            for channel in connections.value.channels {
                try channel.syncOptions?.setOption(.autoRead, value: true)
                channel.read()
            }
        }.get()
    }

    func stop() async {
        try? await server.close()
        try? await group.shutdownGracefully()
    }

    private final class Handler: ChannelInboundHandler {
        typealias InboundIn = ByteBuffer
        typealias OutboundOut = ByteBuffer

        let answering: Answering
        private var packetIns = 0

        init(answering: Answering) { self.answering = answering }

        func channelActive(context: ChannelHandlerContext) {
            let handshake: [OpenFlowMessage.Body] = [
                .hello(Hello()), .featuresRequest(FeaturesRequest()), .setConfig(SetConfig(config: SwitchConfig())),
            ]
            for (xid, body) in handshake.enumerated() {
                context.write(wrapOutboundOut(OpenFlowMessage(xid: UInt32(xid + 1), body).encoded()), promise: nil)
            }
            context.flush()
            context.fireChannelActive()
        }

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            let frame = unwrapInboundIn(data)
            guard frame.getInteger(at: frame.readerIndex + 1, as: UInt8.self) == MessageType.packetIn.rawValue,
                let buffer = frame.getInteger(at: frame.readerIndex + PacketIn.Offset.bufferID, as: UInt32.self)
            else { return }
            packetIns += 1
            guard answering == .everyOther, packetIns % 2 == 0 else { return }
            let answer = PacketOut(bufferID: BufferID(buffer), inPort: PortNumber(1), actions: [])
            context.write(wrapOutboundOut(OpenFlowMessage(xid: 0, .packetOut(answer)).encoded()), promise: nil)
        }

        func channelReadComplete(context: ChannelHandlerContext) {
            context.flush()
        }
    }
}
