import NIOCore
import OpenFlow

/// At least one message of every OpenFlow 1.0 type, with every action, stats body and error
/// type represented, so that a test iterating over them covers the whole library.
enum SampleMessages {
    static func bytes(_ values: [UInt8]) -> ByteBuffer { ByteBuffer(bytes: values) }

    static let port1 = PhysicalPort(
        portNumber: PortNumber(1), hardwareAddress: MACAddress(0x02, 0, 0, 0, 0, 1), name: "s1-eth1",
        config: [.noFlood], state: PortState(rawValue: 2 << 8), current: [.tenGbFullDuplex, .copper],
        advertised: [.oneGbFullDuplex], supported: [.oneGbFullDuplex, .autoNegotiation], peer: [.pause])
    static let localPort = PhysicalPort(
        portNumber: .local, hardwareAddress: MACAddress(0x02, 0, 0, 0, 0, 0xff), name: "s1",
        config: [.portDown], state: [.linkDown])

    static let fullMatch: Match = {
        var wildcards: Match.Wildcards = []
        wildcards.nwSrcIgnoredBits = 8
        wildcards.nwDstIgnoredBits = 0
        return Match(
            wildcards: wildcards, inPort: PortNumber(3), dlSrc: MACAddress(0, 0, 0, 0, 0, 1),
            dlDst: MACAddress(0, 0, 0, 0, 0, 2),
            dlVlan: 100, dlVlanPcp: 5, dlType: 0x0800, nwTos: 0x28, nwProto: 6,
            nwSrc: IPv4Address(10, 0, 0, 0), nwDst: IPv4Address(10, 0, 0, 2), tpSrc: 5555, tpDst: 80)
    }()

    static let everyAction: [Action] = [
        .output(port: PortNumber(2), maxLength: 0),
        .output(port: .controller, maxLength: 128),
        .setVlanVid(42), .setVlanPcp(3), .stripVlan,
        .setDlSrc(MACAddress(0xaa, 0xbb, 0xcc, 0xdd, 0xee, 0xff)), .setDlDst(MACAddress(1, 2, 3, 4, 5, 6)),
        .setNwSrc(IPv4Address(192, 168, 1, 1)), .setNwDst(IPv4Address(192, 168, 1, 2)),
        .setNwTos(0x10), .setTpSrc(1234), .setTpDst(4321),
        .enqueue(port: PortNumber(1), queueID: 7),
        .vendor(vendor: 0x0000_2320, body: bytes([0, 1, 2, 3, 4, 5, 6, 7])),
    ]

    static let flowStats = FlowStats(
        tableID: 0, match: fullMatch, durationSeconds: 12, durationNanoseconds: 500, priority: 100,
        idleTimeout: 10, hardTimeout: 30, cookie: 0xdead_beef, packetCount: 7, byteCount: 700,
        actions: [.output(port: PortNumber(2), maxLength: 0)])

    /// Every sample, labelled for test output.
    static let all: [(String, OpenFlowMessage)] = [
        ("hello", OpenFlowMessage(xid: 1, .hello(Hello()))),
        (
            "hello v4 with elements",
            OpenFlowMessage(version: 4, xid: 2, .hello(Hello(elements: bytes([0, 1, 0, 8, 0, 0, 0, 0x10]))))
        ),
        (
            "error hello-failed v4",
            OpenFlowMessage(
                version: 4, xid: 3,
                .error(
                    ErrorMessage(HelloFailedCode.incompatible, data: ByteBuffer(string: "We support OpenFlow 1.0 only"))
                ))
        ),
        (
            "error bad-request",
            OpenFlowMessage(
                xid: 4, .error(ErrorMessage(BadRequestCode.badLength, data: bytes([1, 2, 0, 8, 0, 0, 0, 4]))))
        ),
        ("error bad-action", OpenFlowMessage(xid: 5, .error(ErrorMessage(BadActionCode.badOutPort)))),
        ("error flow-mod-failed", OpenFlowMessage(xid: 6, .error(ErrorMessage(FlowModFailedCode.overlap)))),
        ("error port-mod-failed", OpenFlowMessage(xid: 7, .error(ErrorMessage(PortModFailedCode.badHardwareAddress)))),
        ("error queue-op-failed", OpenFlowMessage(xid: 8, .error(ErrorMessage(QueueOpFailedCode.badQueue)))),
        ("echo request", OpenFlowMessage(xid: 9, .echoRequest(EchoRequest(payload: bytes([1, 2, 3]))))),
        ("echo reply", OpenFlowMessage(xid: 9, .echoReply(EchoReply(payload: bytes([1, 2, 3]))))),
        (
            "vendor",
            OpenFlowMessage(
                xid: 10, .vendor(VendorMessage(vendor: 0x00_00_23_20, payload: bytes([0, 0, 0, 10, 0, 0, 0, 0]))))
        ),
        ("features request", OpenFlowMessage(xid: 11, .featuresRequest(FeaturesRequest()))),
        (
            "features reply",
            OpenFlowMessage(
                xid: 11,
                .featuresReply(
                    FeaturesReply(
                        datapathID: DatapathID(0x0000_0000_0000_0001), bufferCount: 256, tableCount: 254,
                        capabilities: [.flowStats, .tableStats, .portStats, .queueStats, .arpMatchIP],
                        supportedActions: FeaturesReply.SupportedActions([.output, .setVlanVid, .stripVlan, .enqueue]),
                        ports: [port1, localPort])))
        ),
        (
            "features reply no ports",
            OpenFlowMessage(xid: 12, .featuresReply(FeaturesReply(datapathID: DatapathID(0xffff_0000_0000_0abc))))
        ),
        ("get config request", OpenFlowMessage(xid: 13, .getConfigRequest(GetConfigRequest()))),
        (
            "get config reply",
            OpenFlowMessage(
                xid: 13,
                .getConfigReply(GetConfigReply(config: SwitchConfig(flags: .fragmentDrop, missSendLength: 128))))
        ),
        (
            "set config",
            OpenFlowMessage(
                xid: 14, .setConfig(SetConfig(config: SwitchConfig(flags: .fragmentNormal, missSendLength: 0xffff))))
        ),
        (
            "packet in",
            OpenFlowMessage(
                xid: 0,
                .packetIn(
                    PacketIn(
                        bufferID: BufferID(0x100), totalLength: 60, inPort: PortNumber(1), reason: .noMatch,
                        data: bytes(Array(repeating: 0xab, count: 60)))))
        ),
        (
            "packet in action, unbuffered",
            OpenFlowMessage(
                xid: 0, .packetIn(PacketIn(totalLength: 0, inPort: .local, reason: .action, data: ByteBuffer())))
        ),
        (
            "flow removed",
            OpenFlowMessage(
                xid: 0,
                .flowRemoved(
                    FlowRemoved(
                        match: fullMatch, cookie: 42, priority: 100, reason: .hardTimeout, durationSeconds: 1,
                        durationNanoseconds: 2, idleTimeout: 3, packetCount: 4, byteCount: 5)))
        ),
        ("port status add", OpenFlowMessage(xid: 0, .portStatus(PortStatus(reason: .add, port: port1)))),
        ("port status delete", OpenFlowMessage(xid: 0, .portStatus(PortStatus(reason: .delete, port: localPort)))),
        ("port status modify", OpenFlowMessage(xid: 0, .portStatus(PortStatus(reason: .modify, port: port1)))),
        (
            "packet out",
            OpenFlowMessage(
                xid: 15,
                .packetOut(
                    PacketOut(
                        bufferID: .none, inPort: PortNumber(1), actions: [.output(port: .flood, maxLength: 0)],
                        data: bytes(Array(0..<42)))))
        ),
        (
            "packet out buffered",
            OpenFlowMessage(xid: 16, .packetOut(PacketOut(bufferID: BufferID(7), inPort: PortNumber(2), actions: [])))
        ),
        (
            "flow mod every action",
            OpenFlowMessage(
                xid: 17,
                .flowMod(
                    FlowMod(
                        match: fullMatch, cookie: 1, command: .add, idleTimeout: 5, hardTimeout: 60, priority: 200,
                        bufferID: BufferID(3), outPort: .none, flags: [.sendFlowRemoved, .checkOverlap],
                        actions: everyAction)))
        ),
        (
            "flow mod delete strict",
            OpenFlowMessage(xid: 18, .flowMod(FlowMod(match: .all, command: .deleteStrict, outPort: PortNumber(3))))
        ),
        // Open vSwitch implements no emergency flow cache, so this one is not cross-checked with it.
        (
            "flow mod emergency",
            OpenFlowMessage(
                xid: 18,
                .flowMod(FlowMod(match: .all, flags: [.emergency], actions: [.output(port: .normal, maxLength: 0)])))
        ),
        (
            "port mod",
            OpenFlowMessage(
                xid: 19,
                .portMod(
                    PortMod(
                        portNumber: PortNumber(1), hardwareAddress: port1.hardwareAddress, config: [.portDown],
                        mask: [.portDown, .noFlood], advertise: [.oneGbFullDuplex])))
        ),
        ("stats request desc", OpenFlowMessage(xid: 20, .statsRequest(StatsRequest(.description)))),
        (
            "stats request flow",
            OpenFlowMessage(
                xid: 21,
                .statsRequest(
                    StatsRequest(.flow(FlowStatsRequest(match: fullMatch, tableID: 0, outPort: PortNumber(2))))))
        ),
        (
            "stats request aggregate",
            OpenFlowMessage(xid: 22, .statsRequest(StatsRequest(.aggregate(FlowStatsRequest()))))
        ),
        ("stats request table", OpenFlowMessage(xid: 23, .statsRequest(StatsRequest(.table)))),
        (
            "stats request port",
            OpenFlowMessage(xid: 24, .statsRequest(StatsRequest(.port(PortStatsRequest(portNumber: .none)))))
        ),
        (
            "stats request queue",
            OpenFlowMessage(
                xid: 25, .statsRequest(StatsRequest(.queue(QueueStatsRequest(portNumber: PortNumber(1), queueID: 2)))))
        ),
        (
            "stats request vendor",
            OpenFlowMessage(
                xid: 26,
                .statsRequest(
                    StatsRequest(.vendor(VendorStats(vendor: 0x2320, payload: bytes([0, 0, 0, 0, 1, 2, 3, 4]))))))
        ),
        (
            "stats reply desc",
            OpenFlowMessage(
                xid: 20,
                .statsReply(
                    StatsReply(
                        .description(
                            DescriptionStats(
                                manufacturer: "Nicira, Inc.", hardware: "Open vSwitch", software: "3.1.0",
                                serialNumber: "None", datapath: "None")))))
        ),
        (
            "stats reply flow",
            OpenFlowMessage(xid: 21, .statsReply(StatsReply(flags: .more, .flow([flowStats, FlowStats(match: .all)]))))
        ),
        ("stats reply flow empty", OpenFlowMessage(xid: 21, .statsReply(StatsReply(.flow([]))))),
        (
            "stats reply aggregate",
            OpenFlowMessage(
                xid: 22,
                .statsReply(StatsReply(.aggregate(AggregateStats(packetCount: 10, byteCount: 1000, flowCount: 3)))))
        ),
        (
            "stats reply table",
            OpenFlowMessage(
                xid: 23,
                .statsReply(
                    StatsReply(
                        .table([
                            TableStats(
                                tableID: 0, name: "classifier", wildcards: .all, maxEntries: 1_000_000, activeCount: 2,
                                lookupCount: 99, matchedCount: 42)
                        ]))))
        ),
        (
            "stats reply port",
            OpenFlowMessage(
                xid: 24,
                .statsReply(
                    StatsReply(
                        .port([
                            PortStats(
                                portNumber: PortNumber(1), receivedPackets: 1, transmittedPackets: 2, receivedBytes: 3,
                                transmittedBytes: 4,
                                receiveDropped: 5, transmitDropped: 6, receiveErrors: 7, transmitErrors: 8,
                                receiveFrameErrors: 9,
                                receiveOverrunErrors: 10, receiveCRCErrors: 11, collisions: .max),
                            PortStats(portNumber: .local),
                        ]))))
        ),
        (
            "stats reply queue",
            OpenFlowMessage(
                xid: 25,
                .statsReply(
                    StatsReply(
                        .queue([
                            QueueStats(
                                portNumber: PortNumber(1), queueID: 2, transmittedBytes: 3, transmittedPackets: 4,
                                transmitErrors: 5)
                        ]))))
        ),
        (
            "stats reply vendor",
            OpenFlowMessage(
                xid: 26, .statsReply(StatsReply(.vendor(VendorStats(vendor: 0x2320, payload: bytes([9, 9, 9, 9]))))))
        ),
        ("barrier request", OpenFlowMessage(xid: 27, .barrierRequest(BarrierRequest()))),
        ("barrier reply", OpenFlowMessage(xid: 27, .barrierReply(BarrierReply()))),
        (
            "queue get config request",
            OpenFlowMessage(xid: 28, .queueGetConfigRequest(QueueGetConfigRequest(port: PortNumber(1))))
        ),
        (
            "queue get config reply",
            OpenFlowMessage(
                xid: 28,
                .queueGetConfigReply(
                    QueueGetConfigReply(
                        port: PortNumber(1),
                        queues: [
                            PacketQueue(queueID: 1, properties: [.minimumRate(500)]),
                            PacketQueue(queueID: 2, properties: [.none]),
                            PacketQueue(queueID: 3),
                        ])))
        ),
    ]
}
