import NIOCore
import NIOPosix
import OpenFlow
import Packets

/// Connects the emulated switches, a few at a time so that the controller's accept queue
/// is not flooded.
enum EmulatedSwitchFleet {
    static func connect(
        host: String, port: Int, settings: LoadSettings, load: NIOLoopBound<LoadState>, eventLoop: any EventLoop
    ) async throws -> [any Channel] {
        var channels: [any Channel] = []
        for index in 0..<settings.switchCount {
            let channel = try await ClientBootstrap(group: eventLoop)
                .channelOption(.socketOption(.tcp_nodelay), value: 1)
                // The open loop writes while the channel is writable: at most this much waits
                // in the generator once the socket is full.
                .channelOption(.writeBufferWaterMark, value: .init(low: 32 * 1024, high: 64 * 1024))
                .channelInitializer { channel in
                    channel.eventLoop.makeCompletedFuture {
                        try channel.pipeline.syncOperations.addHandler(
                            EmulatedSwitch(index: index, settings: settings, load: load.value))
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
/// In the closed loop it keeps `settings.outstanding` requests unanswered, sending one for each
/// answer, and gives up on a request unanswered for `settings.requestTimeoutNanoseconds` so that
/// its slot is refilled. In the open loop it writes requests whenever its channel is writable,
/// as cbench's throughput mode does: a controller that reads slowly makes the writes wait in
/// the socket, not the generator wait for answers.
///
/// Like the unit's switch channel it frames the stream itself and batches what it writes into
/// one buffer per read: the generator shares the machine with the controller it measures, so
/// every microsecond it spends is one the controller does not get.
///
/// With a fabric (`LoadSettings.fabric`) it also reports the fabric's ports, sends its own
/// requests from host ports only, and hands the PACKET_OUTs without a buffer to `FabricRelay`,
/// which carries LLDP probes to the switch at the other end of the cable. In path-setup mode it
/// sends nothing of its own: `PathSetupLoad` writes through it and reads its FLOW_MODs.
final class EmulatedSwitch: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    private var frames = OpenFlowFrameSplitter()
    private var outbound = ByteBuffer()
    /// The requests written and not yet answered.
    private var requests: RequestRing

    private let index: Int
    private let settings: LoadSettings
    private let load: LoadState
    private let datapathID: DatapathID
    private let portCount: UInt16
    /// The ports its requests come in by: `hostPorts.first` and the `count - 1` after it.
    private let hostPorts: (first: UInt16, count: Int)
    /// Kept while the handler is in the pipeline, for writes made on its behalf by other
    /// switches (`SwitchRoster.flushPending`).
    private var context: ChannelHandlerContext?
    private var ready = false
    private var active = false
    /// The load has begun (at once after the handshake, unless `settings.deferredStart`).
    private var loading = false
    private var macCursor = 0
    /// Open loop: a burst is queued on the event loop.
    private var pumpQueued = false
    /// Closed loop with a timeout: the next search for expired requests.
    private var expiryTimer: Scheduled<Void>?

    /// Requests per write in the open loop, before letting reads and the other switches in.
    static let openLoopBurst = 128

    init(index: Int, settings: LoadSettings, load: LoadState) {
        self.index = index
        self.settings = settings
        self.load = load
        self.datapathID = Self.datapathID(index: index, first: settings.firstDatapathID)
        self.requests = RequestRing(size: settings.ringSize)
        if let fabric = settings.fabric {
            self.portCount = fabric.portCounts[index]
            self.hostPorts = fabric.hostPorts(of: index)
        } else {
            self.portCount = Self.portCount
            self.hostPorts = (1, Int(Self.portCount))
        }
    }

    /// Ports of a switch outside a fabric, every one a host port.
    static let portCount: UInt16 = 4

    func handlerAdded(context: ChannelHandlerContext) {
        outbound = context.channel.allocator.buffer(capacity: 16 * 1024)
        self.context = context
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        load.roster.remove(self, at: index)
        self.context = nil
    }

    func channelActive(context: ChannelHandlerContext) {
        active = true
        reply(0, .hello(Hello()))
        flush(context)
        context.fireChannelActive()
    }

    func channelInactive(context: ChannelHandlerContext) {
        active = false
        expiryTimer?.cancel()
        expiryTimer = nil
        load.roster.remove(self, at: index)
        context.fireChannelInactive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        // One clock reading per read: the answers in it arrived together.
        let now = NIODeadline.now().uptimeNanoseconds
        var chunk = unwrapInboundIn(data)
        do throws(WireError) {
            while let frame = try frames.next(from: &chunk) { handle(frame, now: now, context: context) }
        } catch {
            print("echelon-bench: switch \(index): unframeable stream from the controller: \(error)")
            context.close(promise: nil)
        }
    }

    private func handle(_ frame: ByteBuffer, now: UInt64, context: ChannelHandlerContext) {
        if let buffer = BufferedPacketAnswer.bufferID(in: frame) {
            if let pathSetup = load.pathSetup {
                answered(frame, buffer: buffer, in: pathSetup, now: now)
            } else if buffer == .none {
                // No request of ours: a probe to carry over a cable, or nothing to count.
                if let relay = load.relay { relay.packetOut(frame, at: index) }
            } else {
                answered(buffer, now: now)
            }
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
                reply(
                    message.xid,
                    .statsReply(
                        StatsReply(
                            .description(
                                DescriptionStats(
                                    manufacturer: "Echelon", hardware: "echelon-bench", software: "emulated switch",
                                    serialNumber: "\(index)", datapath: "")))))
            } else {
                reply(message.xid, .error(ErrorMessage(BadRequestCode.badStat, excerptOf: message)))
            }
        case .vendor:
            reply(message.xid, .error(ErrorMessage(BadRequestCode.badVendor, excerptOf: message)))
        case .setConfig:
            // The controller has configured us: the handshake is over, the load begins (or, when
            // deferred, waits for `LoadState.beginLoad`).
            guard !ready else { return }
            ready = true
            load.roster.add(self, at: index)
            load.switchReady()
            if !settings.deferredStart { begin() }
        default:
            break
        }
    }

    /// Path setup: a FLOW_MOD or PACKET_OUT, read by the pair it belongs to.
    private func answered(_ frame: ByteBuffer, buffer: BufferID, in pathSetup: PathSetupLoad, now: UInt64) {
        if frame.getInteger(at: frame.readerIndex + 1, as: UInt8.self) == MessageType.flowMod.rawValue {
            pathSetup.flowMod(frame, at: index, now: now)
        } else if buffer != .none {
            pathSetup.packetOut(buffer: buffer.rawValue, at: index)
        } else if let relay = load.relay {
            relay.packetOut(frame, at: index)
        }
    }

    /// Starts the switch's own load (none in path-setup mode); what it writes goes with the
    /// next flush.
    func begin() {
        guard ready, !loading, let context, settings.pathSetup == nil else { return }
        loading = true
        if settings.openLoop {
            queuePump(context)
        } else {
            fillWindow()
            scheduleExpiry(context)
        }
    }

    func channelReadComplete(context: ChannelHandlerContext) {
        flush(context)
        load.roster.flushPending()
        context.fireChannelReadComplete()
    }

    /// Sends what was written on this switch's behalf (`SwitchRoster.flushPending`).
    func flushOutbound() {
        guard let context else { return }
        flush(context)
    }

    /// A frame that came over a cable to `port`: an unbuffered PACKET_IN, sent with the next flush.
    func deliver(_ frame: ByteBuffer, inPort port: UInt16) {
        guard active, let length = UInt16(exactly: frame.readableBytes) else { return }
        OpenFlowMessage(
            xid: 0,
            .packetIn(
                PacketIn(bufferID: .none, totalLength: length, inPort: PortNumber(port), reason: .noMatch, data: frame))
        ).write(to: &outbound)
        load.roster.needsFlush(index)
    }

    /// Writes a prepared message, patched in place by `patch`, to go with the next flush.
    func write(_ template: [UInt8], patch: (UnsafeMutableRawBufferPointer) -> Void) {
        guard active else { return }
        outbound.writeWithUnsafeMutableBytes(minimumWritableBytes: template.count) { raw in
            template.withUnsafeBytes { raw.copyMemory(from: $0) }
            patch(UnsafeMutableRawBufferPointer(rebasing: raw[..<template.count]))
            return template.count
        }
        load.roster.needsFlush(index)
    }

    func channelWritabilityChanged(context: ChannelHandlerContext) {
        if settings.openLoop && context.channel.isWritable { queuePump(context) }
        context.fireChannelWritabilityChanged()
    }

    private func flush(_ context: ChannelHandlerContext) {
        guard outbound.readableBytes > 0 else { return }
        // The requests of this write leave now: one clock reading for all of them.
        let written = requests.stamp(now: NIODeadline.now().uptimeNanoseconds)
        if written > 0 { load.recordSent(written) }
        context.writeAndFlush(wrapOutboundOut(outbound), promise: nil)
        outbound.clear()
    }

    /// Open loop: writes a burst of requests if the channel takes them, then queues the next
    /// burst behind whatever else the event loop has to do (reads, the other switches). When
    /// the channel stops being writable the pump stops; `channelWritabilityChanged` restarts it.
    private func pump(_ context: ChannelHandlerContext) {
        pumpQueued = false
        guard active, context.channel.isWritable else { return }
        for _ in 0..<Self.openLoopBurst { sendPacketIn() }
        flush(context)
        queuePump(context)
    }

    private func queuePump(_ context: ChannelHandlerContext) {
        guard active, ready, loading, !pumpQueued else { return }
        pumpQueued = true
        context.eventLoop.assumeIsolated().execute { self.pump(context) }
    }

    /// Closed loop: tops the window up to `settings.outstanding` requests (in learn mode, while
    /// MACs remain to be taught).
    private func fillWindow() {
        while requests.outstanding < settings.outstanding
            && (!settings.learnOnly || macCursor < settings.macsPerSwitch)
        {
            sendPacketIn()
        }
    }

    /// Closed loop: every quarter of the timeout (at most 100 ms apart), gives up on the
    /// requests unanswered for longer than the timeout and refills their slots.
    private func scheduleExpiry(_ context: ChannelHandlerContext) {
        guard active, let timeout = settings.requestTimeoutNanoseconds else { return }
        let period = min(max(timeout / 4, 1_000_000), 100_000_000)
        expiryTimer = context.eventLoop.assumeIsolated().scheduleTask(in: .nanoseconds(Int64(period))) {
            let now = NIODeadline.now().uptimeNanoseconds
            let expired = self.requests.expire(sentAtOrBefore: now >= timeout ? now - timeout : 0)
            if expired > 0 {
                self.load.recordTimeouts(expired)
                self.fillWindow()
                self.flush(context)
            }
            self.scheduleExpiry(context)
        }
    }

    private func answered(_ buffer: BufferID, now: UInt64) {
        switch requests.answer(buffer.rawValue) {
        case .outstanding(let sent):
            load.recordAnswer(switchIndex: index, roundTripNanoseconds: now &- sent, now: now)
            if !settings.openLoop { fillWindow() }
        case .overtaken where settings.openLoop:
            // In the open loop the socket buffers can hold more than a ring of requests, so an
            // answer may come after its slot was reused: it counts, without a round trip.
            load.recordAnswer(switchIndex: index, roundTripNanoseconds: nil, now: now)
        case .overtaken, .unmatched:
            // Unsolicited messages (LLDP probes, say) name no buffer of ours, and in the closed
            // loop an answer to a request given up on comes too late to count.
            break
        }
    }

    private func reply(_ xid: UInt32, _ body: OpenFlowMessage.Body) {
        OpenFlowMessage(xid: xid, body).write(to: &outbound)
    }

    private var features: FeaturesReply {
        Self.features(index: index, portCount: portCount, firstDatapathID: settings.firstDatapathID)
    }

    /// The DPID of the switch with this index, when the first switch's is `first`.
    static func datapathID(index: Int, first: UInt64 = 1) -> DatapathID { DatapathID(UInt64(index) + first) }

    /// The FEATURES_REPLY of the switch with this index.
    static func features(index: Int, portCount: UInt16 = portCount, firstDatapathID: UInt64 = 1) -> FeaturesReply {
        let datapathID = Self.datapathID(index: index, first: firstDatapathID)
        return FeaturesReply(
            datapathID: datapathID, bufferCount: 256, tableCount: 1,
            capabilities: [.flowStats, .tableStats, .portStats],
            supportedActions: FeaturesReply.SupportedActions([.output, .setVlanVid, .stripVlan, .setDlSrc, .setDlDst]),
            ports: (1...portCount).map { number in
                PhysicalPort(
                    portNumber: PortNumber(number),
                    hardwareAddress: MACAddress(rawValue: 0x0200_0000_0000 | datapathID.rawValue << 8 | UInt64(number)),
                    name: "bench\(index)-\(number)")
            })
    }

    /// A host MAC of a switch's pool: locally administered, unique per switch and index.
    private static func hostMAC(index: Int, number: Int, macs: Int) -> MACAddress {
        MACAddress(rawValue: 0x0600_0000_0000 | UInt64(index) << 20 | UInt64(number % macs))
    }

    private func sendPacketIn() {
        let number = macCursor
        macCursor += 1
        let (buffer, overwrote) = requests.issue()
        // In the closed loop a request overtaken by a whole ring of younger ones is given up
        // on like one that timed out; in the open loop that is how unanswered ones are dropped.
        if overwrote && !settings.openLoop { load.recordTimeouts(1) }
        // One prepared message per request, copied and patched through one view of the buffer:
        // building and serialising a PacketIn each time weighs on the generator, which shares
        // the machine with the unit it measures (docs/benchmarks.md, "The load generator's own cost").
        let (index, macs, unknown) = (index, settings.macsPerSwitch, settings.unknownDestinations)
        let inPort = hostPorts.first + UInt16(number % hostPorts.count)
        outbound.writeWithUnsafeMutableBytes(minimumWritableBytes: Self.packetInTemplate.count) { raw in
            Self.writePacketIn(
                into: raw, index: index, number: number, macs: macs, buffer: buffer, inPort: inPort,
                unknownDestination: unknown)
        }
    }

    /// The PACKET_IN (xid 0) the switch with this index sends for the `number`th request.
    static func packetIn(
        index: Int, number: Int, macs: Int, buffer: UInt32, unknownDestination: Bool = false
    ) -> [UInt8] {
        [UInt8](unsafeUninitializedCapacity: packetInTemplate.count) { raw, count in
            count = writePacketIn(
                into: UnsafeMutableRawBufferPointer(raw), index: index, number: number, macs: macs, buffer: buffer,
                inPort: UInt16(number % Int(portCount)) + 1, unknownDestination: unknownDestination)
        }
    }

    /// Copies the template into `raw` and patches in the request's buffer id, port and MACs;
    /// returns the bytes written.
    private static func writePacketIn(
        into raw: UnsafeMutableRawBufferPointer, index: Int, number: Int, macs: Int, buffer: UInt32, inPort: UInt16,
        unknownDestination: Bool = false
    ) -> Int {
        let source = hostMAC(index: index, number: number, macs: macs)
        // The destination is a host learned earlier (one MAC behind), so that after the first
        // round the controller answers with flows rather than floods, as in cbench; or, with
        // `unknownDestination`, the same MAC under another prefix, which no switch sends from.
        var destination = hostMAC(index: index, number: number &+ macs - 1, macs: macs)
        if unknownDestination { destination = MACAddress(rawValue: destination.rawValue ^ 0x0c00_0000_0000) }
        let template = packetInTemplate
        template.withUnsafeBytes { raw.copyMemory(from: $0) }
        raw.storeBytes(of: buffer.bigEndian, toByteOffset: PacketIn.Offset.bufferID, as: UInt32.self)
        raw.storeBytes(of: inPort.bigEndian, toByteOffset: PacketIn.Offset.inPort, as: UInt16.self)
        store(destination, at: PacketIn.Offset.data, in: raw)
        store(source, at: PacketIn.Offset.data + 6, in: raw)
        return template.count
    }

    static func store(_ mac: MACAddress, at offset: Int, in raw: UnsafeMutableRawBufferPointer) {
        raw.storeBytes(
            of: UInt16(truncatingIfNeeded: mac.rawValue >> 32).bigEndian, toByteOffset: offset, as: UInt16.self)
        raw.storeBytes(
            of: UInt32(truncatingIfNeeded: mac.rawValue).bigEndian, toByteOffset: offset + 2, as: UInt32.self)
    }

    /// A buffered PACKET_IN (xid 0) carrying `frameTemplate`.
    static let packetInTemplate = bufferedPacketIn(carrying: frameTemplate)

    /// A buffered PACKET_IN (xid 0, buffer 0, port 1) carrying `frame`: the template requests
    /// are patched from.
    static func bufferedPacketIn(carrying frame: ByteBuffer) -> [UInt8] {
        Array(
            buffer: OpenFlowMessage(
                xid: 0,
                .packetIn(
                    PacketIn(
                        bufferID: BufferID(0), totalLength: UInt16(frame.readableBytes), inPort: PortNumber(1),
                        reason: .noMatch, data: frame))
            ).encoded())
    }

    /// A 64-byte IPv4/UDP frame; each request sets its two MAC addresses.
    static let frameTemplate: ByteBuffer = EthernetFrame(
        destination: .zero, source: .zero,
        payload: .ipv4(
            IPv4Packet(
                source: IPv4Address(10, 0, 0, 1), destination: IPv4Address(10, 0, 0, 2),
                payload: .udp(
                    UDPDatagram(sourcePort: 12345, destinationPort: 53, payload: ByteBuffer(repeating: 0, count: 18)))))
    ).encoded()
}
