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
                        try channel.pipeline.syncOperations.addHandler(EmulatedSwitch(index: index, settings: settings, load: load.value))
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
///
/// Like the unit's switch channel it frames the stream itself and batches what it writes into
/// one buffer per read: the generator shares the machine with the controller it measures, so
/// every microsecond it spends is one the controller does not get.
final class EmulatedSwitch: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    private var frames = NIOSingleStepByteToMessageProcessor(OpenFlowFrameDecoder())
    private var outbound = ByteBuffer()
    /// Send times of outstanding requests (nil: none), indexed by buffer id modulo the ring's size.
    private var sentAt: [NIODeadline?]

    private let index: Int
    private let settings: LoadSettings
    private let load: LoadState
    private let datapathID: DatapathID
    private var ready = false
    private var nextBuffer: UInt32 = 1
    private var macCursor = 0
    private static let ringSize = 1 << 16

    init(index: Int, settings: LoadSettings, load: LoadState) {
        self.index = index
        self.settings = settings
        self.load = load
        self.datapathID = DatapathID(UInt64(index + 1))
        self.sentAt = Array(repeating: nil, count: Self.ringSize)
    }

    static let portCount: UInt16 = 4

    func handlerAdded(context: ChannelHandlerContext) {
        outbound = context.channel.allocator.buffer(capacity: 16 * 1024)
    }

    func channelActive(context: ChannelHandlerContext) {
        reply(0, .hello(Hello()))
        flush(context)
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        do {
            try frames.process(buffer: unwrapInboundIn(data)) { frame in handle(frame, context: context) }
        } catch {
            print("echelon-bench: switch \(index): unframeable stream from the controller: \(error)")
            context.close(promise: nil)
        }
    }

    private func handle(_ frame: ByteBuffer, context: ChannelHandlerContext) {
        if let buffer = BufferedPacketAnswer.bufferID(in: frame) {
            answered(buffer)
            return
        }
        var bytes = frame
        guard let message = try? OpenFlowMessage(parsing: &bytes) else { return }
        switch message.body {
        case .featuresRequest:
            reply(message.xid, .featuresReply(features))
        case .getConfigRequest:
            reply(message.xid, .getConfigReply(GetConfigReply(config: SwitchConfig())))
        case .echoRequest(let echo):
            reply(message.xid, .echoReply(EchoReply(answering: echo)))
        case .barrierRequest:
            reply(message.xid, .barrierReply(BarrierReply()))
        case .statsRequest(let request):
            if case .description = request.body {
                reply(message.xid, .statsReply(StatsReply(.description(DescriptionStats(
                    manufacturer: "Echelon", hardware: "echelon-bench", software: "emulated switch", serialNumber: "\(index)", datapath: "")))))
            } else {
                reply(message.xid, .error(ErrorMessage(BadRequestCode.badStat, excerptOf: message)))
            }
        case .vendor:
            reply(message.xid, .error(ErrorMessage(BadRequestCode.badVendor, excerptOf: message)))
        case .setConfig:
            // The controller has configured us: the handshake is over, the load begins.
            guard !ready else { return }
            ready = true
            load.switchReady()
            for _ in 0..<settings.outstanding { sendPacketIn() }
        default:
            break
        }
    }

    func channelReadComplete(context: ChannelHandlerContext) {
        flush(context)
    }

    private func flush(_ context: ChannelHandlerContext) {
        guard outbound.readableBytes > 0 else { return }
        context.writeAndFlush(wrapOutboundOut(outbound), promise: nil)
        outbound.clear()
    }

    private func answered(_ buffer: BufferID) {
        // Unsolicited messages (LLDP probes, say) name no buffer of ours.
        let slot = Int(buffer.rawValue) & (Self.ringSize - 1)
        guard let sent = sentAt[slot] else { return }
        sentAt[slot] = nil
        load.recordAnswer(roundTrip: .now() - sent)
        if !settings.learnOnly || macCursor < settings.macsPerSwitch {
            sendPacketIn()
        }
    }

    private func reply(_ xid: UInt32, _ body: OpenFlowMessage.Body) {
        OpenFlowMessage(xid: xid, body).write(to: &outbound)
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

    private func sendPacketIn() {
        let number = macCursor
        macCursor += 1
        let source = hostMAC(number)
        // The destination is a host learned earlier (one MAC behind), so that after the first
        // round the controller answers with flows rather than floods, as in cbench.
        let destination = hostMAC(number &+ settings.macsPerSwitch - 1)
        let inPort = PortNumber(UInt16(number % Int(Self.portCount)) + 1)
        let buffer = nextBuffer
        nextBuffer = nextBuffer == UInt32.max - 1 ? 1 : nextBuffer + 1
        let slot = Int(buffer) & (Self.ringSize - 1)
        sentAt[slot] = .now()
        // One prepared message per request, with its buffer id, port and addresses set in place:
        // building and serialising a PacketIn each time was a fifth of the generator's time.
        let start = outbound.writerIndex
        outbound.writeImmutableBuffer(Self.packetInTemplate)
        outbound.setInteger(buffer, at: start + PacketIn.Offset.bufferID)
        outbound.setInteger(inPort.rawValue, at: start + PacketIn.Offset.inPort)
        outbound.setMACAddress(destination, at: start + PacketIn.Offset.data)
        outbound.setMACAddress(source, at: start + PacketIn.Offset.data + 6)
    }

    /// A buffered PACKET_IN (xid 0) carrying `frameTemplate`.
    static let packetInTemplate = OpenFlowMessage(xid: 0, .packetIn(PacketIn(
        bufferID: BufferID(0), totalLength: UInt16(frameTemplate.readableBytes), inPort: PortNumber(1), reason: .noMatch, data: frameTemplate))).encoded()

    /// A 64-byte IPv4/UDP frame; each request sets its two MAC addresses.
    static let frameTemplate: ByteBuffer = EthernetFrame(
        destination: .zero, source: .zero,
        payload: .ipv4(IPv4Packet(
            source: IPv4Address(10, 0, 0, 1), destination: IPv4Address(10, 0, 0, 2),
            payload: .udp(UDPDatagram(sourcePort: 12345, destinationPort: 53, payload: ByteBuffer(repeating: 0, count: 18)))))
    ).encoded()
}
