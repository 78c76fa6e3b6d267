import NIOCore
import OpenFlow
import PropertyBased
import TestSupport
import UnitProtocol

enum SampleUnitMessages {
    static let tier2 = UnitIdentity(uid: UnitID(20), tier: 2, name: "tier2-core")
    static let authenticator = ExportedService(
        sid: ServiceID(7), origin: UnitID(20), name: "authenticator", priority: 200, action: .divert,
        timeoutPolicy: .failClosed,
        subscriptions: [.packetIn, .deviceAdded], timeoutMilliseconds: 500,
        rules: ["packet_in and src mac 00:00:00:00:00:01 or dpid 0x1"])
    static let resolver = ExportedService(
        sid: ServiceID(8), origin: UnitID(20), name: "résolveur", priority: -5, action: .split,
        subscriptions: Set(EventCategory.allCases))

    static let all: [(String, UnitMessage)] = [
        (
            "exports request",
            .exportsRequest(ExportsRequest(unit: UnitIdentity(uid: UnitID(1), tier: 1, name: "tier1-a")))
        ),
        (
            "exports request, empty name",
            .exportsRequest(ExportsRequest(unit: UnitIdentity(uid: UnitID(2), tier: 1, name: "")))
        ),
        ("exports reply", .exportsReply(Exports(unit: tier2, services: [authenticator, resolver]))),
        ("exports reply, nothing exported", .exportsReply(Exports(unit: tier2, services: []))),
        ("exports update, more follows", .exportsUpdate(Exports(unit: tier2, services: [resolver], more: true))),
        (
            "route advertisement",
            .routeAdvertisement(
                RouteAdvertisement(routes: [
                    RouteEntry(sid: ServiceID(7), origin: UnitID(20), hops: 0),
                    RouteEntry(sid: ServiceID(9), origin: UnitID(30), hops: 15),
                    RouteEntry(sid: ServiceID(10), origin: UnitID(30), hops: RouteEntry.infinity),
                ]))
        ),
        ("route advertisement, empty", .routeAdvertisement(RouteAdvertisement(routes: []))),
        ("route withdrawal", .routeWithdrawal(RouteWithdrawal(sids: [ServiceID(7), ServiceID(0xffff_ffff)]))),
        (
            "event, packet_in",
            .event(
                EscalatedEvent(
                    transaction: 9, sid: ServiceID(7), domain: UnitID(11), category: .packetIn,
                    deadline: 0x0000_0a1b_2c3d_4e5f, datapathID: DatapathID(rawValue: 0x1f),
                    payload: .message(packetIn)))
        ),
        (
            "event, switch_added",
            .event(
                EscalatedEvent(
                    transaction: 10, sid: ServiceID(7), domain: UnitID(11), category: .switchAdded,
                    datapathID: DatapathID(rawValue: 2),
                    payload: .message(
                        OpenFlowMessage(
                            xid: 0, .featuresReply(FeaturesReply(datapathID: DatapathID(rawValue: 2), ports: [port])))))
            )
        ),
        (
            "event, switch_removed",
            .event(
                EscalatedEvent(
                    transaction: 11, sid: ServiceID(7), domain: UnitID(11), category: .switchRemoved,
                    datapathID: DatapathID(rawValue: 2), payload: .none))
        ),
        (
            "event, device moved",
            .event(
                EscalatedEvent(
                    transaction: 12, sid: ServiceID(8), domain: UnitID(11), category: .deviceChanged,
                    datapathID: DatapathID(rawValue: 3),
                    payload: .device(
                        DeviceRecord(
                            mac: MACAddress(0, 0, 0, 0, 0, 1), vlan: 10, ipv4: IPv4Address(10, 0, 0, 1),
                            port: PortNumber(2),
                            change: .moved(from: DatapathID(rawValue: 1), port: PortNumber(4))))))
        ),
        (
            "event, link added inside the domain",
            .event(
                EscalatedEvent(
                    transaction: 13, sid: ServiceID(8), domain: UnitID(11), category: .linkAdded,
                    datapathID: DatapathID(rawValue: 1),
                    payload: .link(
                        LinkRecord(port: PortNumber(2), farDatapathID: DatapathID(rawValue: 3), farPort: PortNumber(1)))
                ))
        ),
        (
            "event, domain edge removed",
            .event(
                EscalatedEvent(
                    transaction: 14, sid: ServiceID(8), domain: UnitID(11), category: .linkRemoved,
                    datapathID: DatapathID(rawValue: 1),
                    payload: .link(
                        LinkRecord(
                            port: PortNumber(5), farDatapathID: DatapathID(rawValue: 0x2001), farPort: PortNumber(1),
                            farUnit: UnitID(12)))))
        ),
        (
            "return, stop with messages, bypass and context",
            .eventReturn(
                EventReturn(
                    transaction: 9, sid: ServiceID(7), verdict: .stop,
                    messages: [
                        EventReturn.SwitchMessage(
                            datapathID: DatapathID(rawValue: 0x1f),
                            message: OpenFlowMessage(
                                xid: 0,
                                .flowMod(
                                    FlowMod(
                                        match: Match(wildcards: [], dlSrc: MACAddress(0, 0, 0, 0, 0, 1)),
                                        idleTimeout: 10, bufferID: BufferID(rawValue: 7),
                                        actions: [.output(port: PortNumber(2), maxLength: 0)])))),
                        EventReturn.SwitchMessage(
                            datapathID: DatapathID(rawValue: 0x20),
                            message: OpenFlowMessage(
                                xid: 0,
                                .packetOut(
                                    PacketOut(
                                        actions: [.output(port: .flood, maxLength: 0)],
                                        data: ByteBuffer(bytes: [1, 2, 3]))))),
                    ],
                    bypass: [MACAddress(0, 0, 0, 0, 0, 1)],
                    context: [ContextEntry(key: "auth", value: "allowed"), ContextEntry(key: "domäne", value: "")]))
        ),
        (
            "return, partial and empty",
            .eventReturn(EventReturn(transaction: 0xffff_ffff, sid: ServiceID(8), verdict: .partial))
        ),
        (
            "command, flows deleted and a host withdrawn",
            .command(
                ServiceCommand(
                    sid: ServiceID(7), domain: UnitID(11),
                    messages: [
                        EventReturn.SwitchMessage(
                            datapathID: DatapathID(rawValue: 0x1f),
                            message: OpenFlowMessage(
                                xid: 0,
                                .flowMod(
                                    FlowMod(
                                        match: Match(
                                            wildcards: Match.Wildcards.all.subtracting(.dlSrc),
                                            dlSrc: MACAddress(0, 0, 0, 0, 0, 2)),
                                        command: .delete))))
                    ],
                    withdrawn: [MACAddress(0, 0, 0, 0, 0, 2)]))
        ),
        ("command, empty", .command(ServiceCommand(sid: ServiceID(1), domain: UnitID(2)))),
    ]

    static let port = PhysicalPort(
        portNumber: PortNumber(1), hardwareAddress: MACAddress(0, 0, 0, 0, 0, 0x11), name: "s2-eth1")
    static let packetIn = OpenFlowMessage(
        xid: 77,
        .packetIn(
            PacketIn(
                bufferID: BufferID(rawValue: 7), totalLength: 60, inPort: PortNumber(1),
                data: ByteBuffer(bytes: Array(repeating: 0xab, count: 60)))))
}

/// Random but well-formed unit messages.
struct RandomUnitMessages<R: RandomNumberGenerator> {
    var rng: R

    mutating func int<T: FixedWidthInteger>(_: T.Type = T.self) -> T { T.random(in: .min ... .max, using: &rng) }
    mutating func count(_ range: ClosedRange<Int>) -> Int { Int.random(in: range, using: &rng) }

    /// Text of any Unicode scalars (so multi-byte UTF-8 too) within a byte budget.
    mutating func text(maxBytes: Int) -> String {
        var text = ""
        for _ in 0..<count(0...12) {
            let scalar = Unicode.Scalar(UInt32.random(in: 0x20...0x2_FFFF, using: &rng)) ?? "x"
            guard text.utf8.count + String(scalar).utf8.count <= maxBytes else { break }
            text.unicodeScalars.append(scalar)
        }
        return text
    }

    mutating func identity() -> UnitIdentity {
        UnitIdentity(uid: UnitID(int()), tier: int(), name: text(maxBytes: UnitIdentity.maximumNameLength))
    }

    mutating func service() -> ExportedService {
        ExportedService(
            sid: ServiceID(int()), origin: UnitID(int()), name: text(maxBytes: ExportedService.maximumNameLength),
            priority: int(),
            action: ProcessChainAction.allCases[count(0...3)], timeoutPolicy: TimeoutPolicy.allCases[count(0...1)],
            subscriptions: Set(EventCategory.allCases.filter { _ in Bool.random(using: &rng) }),
            timeoutMilliseconds: int(),
            rules: (0..<count(0...4)).map { _ in text(maxBytes: 64) })
    }

    mutating func message() -> UnitMessage {
        switch count(0...7) {
        case 0: return .exportsRequest(ExportsRequest(unit: identity()))
        case 1:
            return .exportsReply(
                Exports(
                    unit: identity(), services: (0..<count(0...6)).map { _ in service() },
                    more: Bool.random(using: &rng)))
        case 2:
            return .exportsUpdate(
                Exports(
                    unit: identity(), services: (0..<count(0...6)).map { _ in service() },
                    more: Bool.random(using: &rng)))
        case 3:
            return .routeAdvertisement(
                RouteAdvertisement(
                    routes: (0..<count(0...40)).map { _ in
                        RouteEntry(
                            sid: ServiceID(int()), origin: UnitID(int()),
                            hops: UInt8.random(in: 0...RouteEntry.infinity, using: &rng))
                    }))
        case 4: return .routeWithdrawal(RouteWithdrawal(sids: (0..<count(0...40)).map { _ in ServiceID(int()) }))
        case 5:
            let category = EventCategory.allCases[count(0...(EventCategory.allCases.count - 1))]
            let payload: EscalatedEvent.Payload =
                switch category {
                case .switchRemoved: .none
                case .deviceAdded, .deviceRemoved, .deviceChanged: .device(device())
                case .linkAdded, .linkRemoved:
                    .link(
                        LinkRecord(
                            port: PortNumber(int()), farDatapathID: DatapathID(rawValue: int()),
                            farPort: PortNumber(int()),
                            farUnit: Bool.random(using: &rng) ? UnitID(int(UInt32.self) | 1) : nil,
                            suppressed: Bool.random(using: &rng)))
                case .packetIn:
                    .message(
                        OpenFlowMessage(
                            xid: int(),
                            .packetIn(
                                PacketIn(
                                    bufferID: BufferID(rawValue: int()), totalLength: int(), inPort: PortNumber(int()),
                                    data: bytes()))))
                case .vendor:
                    .message(OpenFlowMessage(xid: int(), .vendor(VendorMessage(vendor: int(), payload: bytes()))))
                case .switchAdded:
                    .message(
                        OpenFlowMessage(
                            xid: int(), .featuresReply(FeaturesReply(datapathID: DatapathID(rawValue: int())))))
                case .switchPortChanged, .portStatus:
                    .message(
                        OpenFlowMessage(
                            xid: int(),
                            .portStatus(
                                PortStatus(
                                    reason: .modify,
                                    port: PhysicalPort(
                                        portNumber: PortNumber(int()),
                                        hardwareAddress: MACAddress(rawValue: int() & 0xffff_ffff_ffff), name: "p")))))
                }
            return .event(
                EscalatedEvent(
                    transaction: int(), sid: ServiceID(int()), domain: UnitID(int()), category: category,
                    deadline: int(), datapathID: DatapathID(rawValue: int()), payload: payload))
        case 7:
            return .command(
                ServiceCommand(
                    sid: ServiceID(int()), domain: UnitID(int()),
                    messages: EventReturn.SwitchMessageList(
                        (0..<count(0...3)).map { _ in
                            EventReturn.SwitchMessage(
                                datapathID: DatapathID(rawValue: int()),
                                message: OpenFlowMessage(xid: int(), .barrierRequest(BarrierRequest())))
                        }),
                    withdrawn: (0..<count(0...3)).map { _ in MACAddress(rawValue: int() & 0xffff_ffff_ffff) }))
        default:
            return .eventReturn(
                EventReturn(
                    transaction: int(), sid: ServiceID(int()), verdict: ReturnVerdict.allCases[count(0...3)],
                    messages: EventReturn.SwitchMessageList(
                        (0..<count(0...3)).map { _ in
                            EventReturn.SwitchMessage(
                                datapathID: DatapathID(rawValue: int()),
                                message: OpenFlowMessage(
                                    xid: int(),
                                    .packetOut(
                                        PacketOut(
                                            bufferID: BufferID(rawValue: int()), inPort: PortNumber(int()),
                                            actions: [.output(port: PortNumber(int()), maxLength: int())], data: bytes()
                                        ))))
                        }),
                    bypass: (0..<count(0...3)).map { _ in MACAddress(rawValue: int() & 0xffff_ffff_ffff) },
                    context: (0..<count(0...3)).map { _ in
                        ContextEntry(key: text(maxBytes: 64), value: text(maxBytes: 200))
                    }))
        }
    }

    mutating func bytes() -> ByteBuffer { ByteBuffer(bytes: (0..<count(0...40)).map { _ in int(UInt8.self) }) }

    mutating func device() -> DeviceRecord {
        let changes: [DeviceRecord.Change?] = [
            nil, .ipv4(from: nil), .ipv4(from: IPv4Address(rawValue: int() | 1)), .vlan(from: nil),
            .vlan(from: int() & 0xfff),
            .moved(from: DatapathID(rawValue: int()), port: PortNumber(int())),
        ]
        return DeviceRecord(
            mac: MACAddress(rawValue: int() & 0xffff_ffff_ffff), vlan: Bool.random(using: &rng) ? nil : int() & 0xfff,
            ipv4: Bool.random(using: &rng) ? nil : IPv4Address(rawValue: int() | 1), port: PortNumber(int()),
            change: changes[count(0...5)])
    }
}

extension Gen where Value == UnitMessage {
    static var unitMessage: Generator<UnitMessage, Shrink.None<UnitMessage>> {
        Generator { rng in
            var random = RandomUnitMessages(rng: SeededGenerator(base: rng))
            defer { rng = random.rng.base }
            return random.message()
        }
    }
}

extension UnitMessage {
    /// Through the whole stack: unit message → OpenFlow bytes → OpenFlow message → unit message.
    func roundTripped() throws -> (UnitMessage, ByteBuffer) {
        let bytes = openFlowMessage(xid: 42).encoded()
        var reader = bytes
        let message = try OpenFlowMessage(parsing: &reader)
        guard case .vendor(let vendor) = message.body else {
            throw WireError(.unknownType(0), field: "not a vendor message", offset: 1)
        }
        return (try UnitMessage(parsing: vendor), bytes)
    }
}
