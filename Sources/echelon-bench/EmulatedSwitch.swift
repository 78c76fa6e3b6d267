import NIOCore
import NIOPosix
import OpenFlow
import Packets

/// Connects the emulated switches, a few at a time so that the controller's accept queue
/// is not flooded.
enum EmulatedSwitchFleet {
    static func connect(host: String, port: Int, settings: LoadSettings, load: NIOLoopBound<LoadState>, eventLoop: any EventLoop) async throws -> [any Channel] {
        var channels: [any Channel] = []
        for index in 0..<settings.switchCount {
            let channel = try await ClientBootstrap(group: eventLoop)
                .channelOption(.socketOption(.tcp_nodelay), value: 1)
                .channelInitializer { channel in
                    channel.eventLoop.makeCompletedFuture {
                        let handlers: [any ChannelHandler] = [
                            ByteToMessageHandler(OpenFlowFrameDecoder()),
                            MessageToByteHandler(OpenFlowMessageEncoder()),
                            EmulatedSwitch(index: index, settings: settings, load: load.value),
                        ]
                        try channel.pipeline.syncOperations.addHandlers(handlers)
                    }
                }
                .connect(host: host, port: port)
                .get()
            channels.append(channel)
        }
        return channels
    }
}

/// One emulated OpenFlow 1.0 switch: answers the controller's handshake and keepalive, then
/// sends PACKET_INs and matches each answer to its request by buffer id.
final class EmulatedSwitch: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = OpenFlowMessage

    private let index: Int
    private let settings: LoadSettings
    private let load: LoadState
    private let datapathID: DatapathID
    private var ready = false
    private var nextBuffer: UInt32 = 1
    private var sentAt: [UInt32: NIODeadline] = [:]
    private var macCursor = 0

    init(index: Int, settings: LoadSettings, load: LoadState) {
        self.index = index
        self.settings = settings
        self.load = load
        self.datapathID = DatapathID(UInt64(index + 1))
    }

    static let portCount: UInt16 = 4

    func channelActive(context: ChannelHandlerContext) {
        context.writeAndFlush(wrapOutboundOut(OpenFlowMessage(xid: 1, .hello(Hello()))), promise: nil)
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        var bytes = unwrapInboundIn(data)
        guard let message = try? OpenFlowMessage(parsing: &bytes) else { return }
        switch message.body {
        case .featuresRequest:
            reply(context, message.xid, .featuresReply(features))
            context.flush()
        case .getConfigRequest:
            reply(context, message.xid, .getConfigReply(GetConfigReply(config: SwitchConfig())))
            context.flush()
        case .echoRequest(let echo):
            reply(context, message.xid, .echoReply(EchoReply(answering: echo)))
            context.flush()
        case .barrierRequest:
            reply(context, message.xid, .barrierReply(BarrierReply()))
            context.flush()
        case .statsRequest(let request):
            if case .description = request.body {
                reply(context, message.xid, .statsReply(StatsReply(.description(DescriptionStats(
                    manufacturer: "Echelon", hardware: "echelon-bench", software: "emulated switch", serialNumber: "\(index)", datapath: "")))))
            } else {
                reply(context, message.xid, .error(ErrorMessage(BadRequestCode.badStat, excerptOf: message)))
            }
            context.flush()
        case .vendor:
            reply(context, message.xid, .error(ErrorMessage(BadRequestCode.badVendor, excerptOf: message)))
            context.flush()
        case .setConfig:
            // The controller has configured us: the handshake is over, the load begins.
            guard !ready else { return }
            ready = true
            load.switchReady()
            for _ in 0..<settings.outstanding { sendPacketIn(context) }
            context.flush()
        case .flowMod(let flowMod):
            answered(flowMod.bufferID, context: context)
        case .packetOut(let packetOut):
            answered(packetOut.bufferID, context: context)
        default:
            break
        }
    }

    func channelReadComplete(context: ChannelHandlerContext) {
        context.flush()
    }

    private func answered(_ buffer: BufferID, context: ChannelHandlerContext) {
        // Unsolicited messages (LLDP probes, say) name no buffer of ours.
        guard let sent = sentAt.removeValue(forKey: buffer.rawValue) else { return }
        load.recordAnswer(roundTrip: .now() - sent)
        if !settings.learnOnly || macCursor < settings.macsPerSwitch {
            sendPacketIn(context)
        }
    }

    private func reply(_ context: ChannelHandlerContext, _ xid: UInt32, _ body: OpenFlowMessage.Body) {
        context.write(wrapOutboundOut(OpenFlowMessage(xid: xid, body)), promise: nil)
    }

    private var features: FeaturesReply {
        FeaturesReply(
            datapathID: datapathID, bufferCount: 256, tableCount: 1,
            capabilities: [.flowStats, .tableStats, .portStats],
            supportedActions: FeaturesReply.SupportedActions([.output, .setVlanVid, .stripVlan, .setDlSrc, .setDlDst]),
            ports: (1...Self.portCount).map { number in
                PhysicalPort(portNumber: PortNumber(number), hardwareAddress: MACAddress(rawValue: 0x0200_0000_0000 | datapathID.rawValue << 8 | UInt64(number)), name: "bench\(index)-\(number)")
            })
    }

    /// A host MAC of this switch's pool: locally administered, unique per switch and index.
    private func hostMAC(_ number: Int) -> MACAddress {
        MACAddress(rawValue: 0x0600_0000_0000 | UInt64(index) << 20 | UInt64(number % settings.macsPerSwitch))
    }

    private func sendPacketIn(_ context: ChannelHandlerContext) {
        let number = macCursor
        macCursor += 1
        let source = hostMAC(number)
        // The destination is a host learned earlier (one MAC behind), so that after the first
        // round the controller answers with flows rather than floods, as in cbench.
        let destination = hostMAC(number &+ settings.macsPerSwitch - 1)
        let inPort = PortNumber(UInt16(number % Int(Self.portCount)) + 1)
        let buffer = nextBuffer
        nextBuffer = nextBuffer == UInt32.max - 1 ? 1 : nextBuffer + 1
        var frame = Self.template
        frame.setMACAddress(destination, at: 0)
        frame.setMACAddress(source, at: 6)
        sentAt[buffer] = .now()
        reply(context, 0, .packetIn(PacketIn(bufferID: BufferID(buffer), totalLength: UInt16(frame.readableBytes), inPort: inPort, reason: .noMatch, data: frame)))
    }

    /// A 64-byte IPv4/UDP frame; each request copies it and sets its two MAC addresses.
    static let template: ByteBuffer = EthernetFrame(
        destination: .zero, source: .zero,
        payload: .ipv4(IPv4Packet(
            source: IPv4Address(10, 0, 0, 1), destination: IPv4Address(10, 0, 0, 2),
            payload: .udp(UDPDatagram(sourcePort: 12345, destinationPort: 53, payload: ByteBuffer(repeating: 0, count: 18)))))
    ).encoded()
}
