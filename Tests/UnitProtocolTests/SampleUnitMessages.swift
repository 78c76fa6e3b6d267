import NIOCore
import OpenFlow
import PropertyBased
import TestSupport
import UnitProtocol

enum SampleUnitMessages {
    static let tier2 = UnitIdentity(uid: UnitID(20), tier: 2, name: "tier2-core")
    static let authenticator = ExportedService(
        sid: ServiceID(7), origin: UnitID(20), name: "authenticator", priority: 200, action: .divert, timeoutPolicy: .failClosed,
        subscriptions: [.packetIn, .deviceAdded], timeoutMilliseconds: 500, rules: ["packet_in and src mac 00:00:00:00:00:01 or dpid 0x1"])
    static let resolver = ExportedService(
        sid: ServiceID(8), origin: UnitID(20), name: "résolveur", priority: -5, action: .split, subscriptions: Set(EventCategory.allCases))

    static let all: [(String, UnitMessage)] = [
        ("exports request", .exportsRequest(ExportsRequest(unit: UnitIdentity(uid: UnitID(1), tier: 1, name: "tier1-a")))),
        ("exports request, empty name", .exportsRequest(ExportsRequest(unit: UnitIdentity(uid: UnitID(2), tier: 1, name: "")))),
        ("exports reply", .exportsReply(Exports(unit: tier2, services: [authenticator, resolver]))),
        ("exports reply, nothing exported", .exportsReply(Exports(unit: tier2, services: []))),
        ("exports update, more follows", .exportsUpdate(Exports(unit: tier2, services: [resolver], more: true))),
        ("route advertisement", .routeAdvertisement(RouteAdvertisement(routes: [
            RouteEntry(sid: ServiceID(7), origin: UnitID(20), hops: 0), RouteEntry(sid: ServiceID(9), origin: UnitID(30), hops: 15),
            RouteEntry(sid: ServiceID(10), origin: UnitID(30), hops: RouteEntry.infinity),
        ]))),
        ("route advertisement, empty", .routeAdvertisement(RouteAdvertisement(routes: []))),
        ("route withdrawal", .routeWithdrawal(RouteWithdrawal(sids: [ServiceID(7), ServiceID(0xffff_ffff)]))),
    ]
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
            sid: ServiceID(int()), origin: UnitID(int()), name: text(maxBytes: ExportedService.maximumNameLength), priority: int(),
            action: ProcessChainAction.allCases[count(0...3)], timeoutPolicy: TimeoutPolicy.allCases[count(0...1)],
            subscriptions: Set(EventCategory.allCases.filter { _ in Bool.random(using: &rng) }), timeoutMilliseconds: int(),
            rules: (0..<count(0...4)).map { _ in text(maxBytes: 64) })
    }

    mutating func message() -> UnitMessage {
        switch count(0...4) {
        case 0: return .exportsRequest(ExportsRequest(unit: identity()))
        case 1: return .exportsReply(Exports(unit: identity(), services: (0..<count(0...6)).map { _ in service() }, more: Bool.random(using: &rng)))
        case 2: return .exportsUpdate(Exports(unit: identity(), services: (0..<count(0...6)).map { _ in service() }, more: Bool.random(using: &rng)))
        case 3:
            return .routeAdvertisement(RouteAdvertisement(routes: (0..<count(0...40)).map { _ in
                RouteEntry(sid: ServiceID(int()), origin: UnitID(int()), hops: UInt8.random(in: 0...RouteEntry.infinity, using: &rng))
            }))
        default: return .routeWithdrawal(RouteWithdrawal(sids: (0..<count(0...40)).map { _ in ServiceID(int()) }))
        }
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
        guard case .vendor(let vendor) = message.body else { throw WireError(.unknownType(0), field: "not a vendor message", offset: 1) }
        return (try UnitMessage(parsing: vendor), bytes)
    }
}
