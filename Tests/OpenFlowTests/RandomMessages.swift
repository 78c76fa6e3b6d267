import NIOCore
import OpenFlow
import PropertyBased
import TestSupport

/// Random but well-formed values of every OpenFlow structure, drawn from PropertyBased's
/// seeded generator so that a failure reports a seed that reproduces it.
struct RandomMessages<R: RandomNumberGenerator> {
    var rng: R

    mutating func int<T: FixedWidthInteger>(_: T.Type = T.self) -> T { T.random(in: .min ... .max, using: &rng) }
    mutating func int<T: FixedWidthInteger>(in range: ClosedRange<T>) -> T { T.random(in: range, using: &rng) }
    mutating func bool() -> Bool { Bool.random(using: &rng) }
    mutating func count(_ range: ClosedRange<Int>) -> Int { Int.random(in: range, using: &rng) }

    mutating func bytes(_ count: Int) -> ByteBuffer { ByteBuffer(bytes: (0..<count).map { _ in int(UInt8.self) }) }
    mutating func mac() -> MACAddress { MACAddress(rawValue: int()) }
    mutating func ip() -> IPv4Address { IPv4Address(rawValue: int()) }
    mutating func port() -> PortNumber { PortNumber(int()) }
    /// Printable text that fits a fixed field of `length` bytes with its terminating NUL.
    mutating func text(maxLength: Int) -> String {
        String((0..<count(0...maxLength - 1)).map { _ in Character(Unicode.Scalar(int(in: UInt8(0x21)...0x7e))) })
    }

    mutating func match() -> Match {
        Match(
            wildcards: Match.Wildcards(rawValue: int(in: 0...0x003f_ffff)), inPort: port(), dlSrc: mac(), dlDst: mac(),
            dlVlan: int(), dlVlanPcp: int(), dlType: int(), nwTos: int(), nwProto: int(), nwSrc: ip(), nwDst: ip(),
            tpSrc: int(), tpDst: int())
    }

    mutating func action() -> Action {
        switch count(0...12) {
        case 0: return .output(port: port(), maxLength: int())
        case 1: return .setVlanVid(int())
        case 2: return .setVlanPcp(int())
        case 3: return .stripVlan
        case 4: return .setDlSrc(mac())
        case 5: return .setDlDst(mac())
        case 6: return .setNwSrc(ip())
        case 7: return .setNwDst(ip())
        case 8: return .setNwTos(int())
        case 9: return .setTpSrc(int())
        case 10: return .setTpDst(int())
        case 11: return .enqueue(port: port(), queueID: int())
        default: return .vendor(vendor: int(), body: bytes(8 * count(0...3)))
        }
    }

    mutating func actions() -> [Action] { (0..<count(0...6)).map { _ in action() } }

    mutating func physicalPort() -> PhysicalPort {
        PhysicalPort(
            portNumber: port(), hardwareAddress: mac(), name: text(maxLength: PhysicalPort.nameLength),
            config: PortConfig(rawValue: int()), state: PortState(rawValue: int()),
            current: PortFeatures(rawValue: int()),
            advertised: PortFeatures(rawValue: int()), supported: PortFeatures(rawValue: int()),
            peer: PortFeatures(rawValue: int()))
    }

    mutating func flowStats() -> FlowStats {
        FlowStats(
            tableID: int(), match: match(), durationSeconds: int(), durationNanoseconds: int(), priority: int(),
            idleTimeout: int(), hardTimeout: int(), cookie: int(), packetCount: int(), byteCount: int(),
            actions: actions())
    }

    mutating func statsRequest() -> StatsRequest.Body {
        switch count(0...6) {
        case 0: return .description
        case 1: return .flow(FlowStatsRequest(match: match(), tableID: int(), outPort: port()))
        case 2: return .aggregate(FlowStatsRequest(match: match(), tableID: int(), outPort: port()))
        case 3: return .table
        case 4: return .port(PortStatsRequest(portNumber: port()))
        case 5: return .queue(QueueStatsRequest(portNumber: port(), queueID: int()))
        default: return .vendor(VendorStats(vendor: int(), payload: bytes(count(0...32))))
        }
    }

    mutating func statsReply() -> StatsReply.Body {
        switch count(0...6) {
        case 0:
            return .description(
                DescriptionStats(
                    manufacturer: text(maxLength: 256), hardware: text(maxLength: 256), software: text(maxLength: 256),
                    serialNumber: text(maxLength: 32), datapath: text(maxLength: 256)))
        case 1: return .flow((0..<count(0...4)).map { _ in flowStats() })
        case 2: return .aggregate(AggregateStats(packetCount: int(), byteCount: int(), flowCount: int()))
        case 3:
            return .table(
                (0..<count(0...3)).map { _ in
                    TableStats(
                        tableID: int(), name: text(maxLength: 32), wildcards: Match.Wildcards(rawValue: int()),
                        maxEntries: int(),
                        activeCount: int(), lookupCount: int(), matchedCount: int())
                })
        case 4:
            return .port(
                (0..<count(0...3)).map { _ in
                    PortStats(
                        portNumber: port(), receivedPackets: int(), transmittedPackets: int(), receivedBytes: int(),
                        transmittedBytes: int(), receiveDropped: int(), transmitDropped: int(), receiveErrors: int(),
                        transmitErrors: int(), receiveFrameErrors: int(), receiveOverrunErrors: int(),
                        receiveCRCErrors: int(), collisions: int())
                })
        case 5:
            return .queue(
                (0..<count(0...3)).map { _ in
                    QueueStats(
                        portNumber: port(), queueID: int(), transmittedBytes: int(), transmittedPackets: int(),
                        transmitErrors: int())
                })
        default: return .vendor(VendorStats(vendor: int(), payload: bytes(count(0...32))))
        }
    }

    mutating func body(of type: UInt8) -> OpenFlowMessage.Body {
        switch type {
        case 0: return .hello(Hello(elements: bytes(count(0...16))))
        case 1: return .error(ErrorMessage(type: ErrorType(rawValue: int()), code: int(), data: bytes(count(0...64))))
        case 2: return .echoRequest(EchoRequest(payload: bytes(count(0...64))))
        case 3: return .echoReply(EchoReply(payload: bytes(count(0...64))))
        case 4: return .vendor(VendorMessage(vendor: int(), payload: bytes(count(0...64))))
        case 5: return .featuresRequest(FeaturesRequest())
        case 6:
            return .featuresReply(
                FeaturesReply(
                    datapathID: DatapathID(int()), bufferCount: int(), tableCount: int(),
                    capabilities: FeaturesReply.Capabilities(rawValue: int()),
                    supportedActions: FeaturesReply.SupportedActions(rawValue: int()),
                    ports: (0..<count(0...5)).map { _ in physicalPort() }))
        case 7: return .getConfigRequest(GetConfigRequest())
        case 8:
            return .getConfigReply(
                GetConfigReply(
                    config: SwitchConfig(flags: SwitchConfig.ConfigFlags(rawValue: int()), missSendLength: int())))
        case 9:
            return .setConfig(
                SetConfig(config: SwitchConfig(flags: SwitchConfig.ConfigFlags(rawValue: int()), missSendLength: int()))
            )
        case 10:
            return .packetIn(
                PacketIn(
                    bufferID: BufferID(int()), totalLength: int(), inPort: port(),
                    reason: PacketIn.Reason(rawValue: int()),
                    data: bytes(count(0...128))))
        case 11:
            return .flowRemoved(
                FlowRemoved(
                    match: match(), cookie: int(), priority: int(), reason: FlowRemoved.Reason(rawValue: int()),
                    durationSeconds: int(), durationNanoseconds: int(), idleTimeout: int(), packetCount: int(),
                    byteCount: int()))
        case 12: return .portStatus(PortStatus(reason: PortStatus.Reason(rawValue: int()), port: physicalPort()))
        case 13:
            return .packetOut(
                PacketOut(bufferID: BufferID(int()), inPort: port(), actions: actions(), data: bytes(count(0...128))))
        case 14:
            return .flowMod(
                FlowMod(
                    match: match(), cookie: int(), command: FlowMod.Command(rawValue: int()), idleTimeout: int(),
                    hardTimeout: int(), priority: int(), bufferID: BufferID(int()), outPort: port(),
                    flags: FlowMod.Flags(rawValue: int()), actions: actions()))
        case 15:
            return .portMod(
                PortMod(
                    portNumber: port(), hardwareAddress: mac(), config: PortConfig(rawValue: int()),
                    mask: PortConfig(rawValue: int()), advertise: PortFeatures(rawValue: int())))
        case 16: return .statsRequest(StatsRequest(flags: StatsFlags(rawValue: int()), statsRequest()))
        case 17: return .statsReply(StatsReply(flags: StatsFlags(rawValue: int()), statsReply()))
        case 18: return .barrierRequest(BarrierRequest())
        case 19: return .barrierReply(BarrierReply())
        case 20: return .queueGetConfigRequest(QueueGetConfigRequest(port: port()))
        default:
            return .queueGetConfigReply(
                QueueGetConfigReply(
                    port: port(),
                    queues: (0..<count(0...4)).map { _ in
                        PacketQueue(
                            queueID: int(),
                            properties: (0..<count(0...3)).map { _ in bool() ? .none : .minimumRate(int()) })
                    }))
        }
    }

    mutating func message() -> OpenFlowMessage {
        let type = int(in: UInt8(0)...21)
        let version = type <= 1 && bool() ? int(in: UInt8(1)...6) : OpenFlowHeader.version10
        return OpenFlowMessage(version: version, xid: int(), body(of: type))
    }
}

extension Gen where Value == OpenFlowMessage {
    /// Any well-formed OpenFlow 1.0 message.
    static var message: Generator<OpenFlowMessage, Shrink.None<OpenFlowMessage>> {
        Generator { rng in
            var random = RandomMessages(rng: SeededGenerator(base: rng))
            defer { rng = random.rng.base }
            return random.message()
        }
    }
}
