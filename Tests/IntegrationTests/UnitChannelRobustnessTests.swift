import Foundation
import NIOCore
import OpenFlow
import Testing
import UnitProtocol

#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// Garbage and lies on the unit port of a real unit: each channel is closed with a logged
/// reason, and the unit's other channel and its routes are undisturbed.
@Suite(.serialized) struct UnitChannelRobustnessTests {
    /// tier 2 "root" (20, hosts 200) ← tier 1 "b" (11); the raw connections go to b.
    static func start() throws -> (root: UnitProcess, b: UnitProcess, bUnitPort: Int, bAdmin: Int) {
        let (rootSwitch, rootUnits, rootAdmin) = try UnitTopologyTests.ports()
        let (bSwitch, bUnits, bAdmin) = try UnitTopologyTests.ports()
        let root = try UnitProcess(
            configuration: """
                {"uid": 20, "name": "root", "tier": 2, "switches": {"listen": "127.0.0.1:\(rootSwitch)"},
                 "units": {"plaintext": true, "listen": "127.0.0.1:\(rootUnits)"}, "admin": {"listen": "127.0.0.1:\(rootAdmin)"},
                 "services": [{"service": "forwarding", "sid": 200}]}
                """, switchPort: rootSwitch)
        let b = try UnitProcess(
            configuration: """
                {"uid": 11, "name": "b", "tier": 1, "switches": {"listen": "127.0.0.1:\(bSwitch)"},
                 "units": {"plaintext": true, "listen": "127.0.0.1:\(bUnits)", "upstream": [{"name": "root", "host": "127.0.0.1", "port": \(rootUnits)}],
                           "handshakeTimeout": 1},
                 "admin": {"listen": "127.0.0.1:\(bAdmin)"}}
                """, switchPort: bSwitch)
        return (root, b, bUnits, bAdmin)
    }

    /// Completes the unit handshake as a tier-1 peer of b.
    static func handshakeAsPeer(_ raw: RawSwitch, uid: UInt32) -> Bool {
        guard raw.receive(.hello) != nil else { return false }
        raw.send(OpenFlowMessage(xid: 1, .hello(Hello())))
        guard let request = raw.receive(.vendor) else { return false }
        raw.send(
            UnitMessage.exportsRequest(ExportsRequest(unit: UnitIdentity(uid: UnitID(uid), tier: 1, name: "raw")))
                .openFlowMessage(xid: 7))
        raw.send(
            UnitMessage.exportsReply(Exports(unit: UnitIdentity(uid: UnitID(uid), tier: 1, name: "raw"), services: []))
                .openFlowMessage(xid: request.xid))
        return raw.receive(.vendor) != nil
    }

    @Test func eachLieClosesItsChannelAndNothingElse() async throws {
        let (root, b, unitPort, admin) = try Self.start()
        defer { _ = root.stop() }
        let steady = [admin: [200: "20/1"]]
        #expect(await UnitTopologyTests.converge(steady, within: .seconds(10)) != nil)

        // A length below the header size: nothing after it can be framed.
        let garbage = try RawSwitch(port: unitPort)
        garbage.sendBytes([0x47, 0x45, 0x00, 0x02, 0x20, 0x2f, 0x20, 0x48])
        #expect(garbage.waitForClose(timeout: 5))

        // A vendor message from someone else, and an unknown subtype, during the handshake.
        let foreign = try RawSwitch(port: unitPort)
        #expect(foreign.receive(.hello) != nil)
        foreign.send(OpenFlowMessage(xid: 1, .hello(Hello())))
        foreign.send(
            OpenFlowMessage(
                xid: 2, .vendor(VendorMessage(vendor: 0x0000_2320, payload: ByteBuffer(bytes: [0, 0, 0, 9])))))
        #expect(foreign.waitForClose(timeout: 5))

        let unknown = try RawSwitch(port: unitPort)
        #expect(unknown.receive(.hello) != nil)
        unknown.send(OpenFlowMessage(xid: 1, .hello(Hello())))
        unknown.send(
            OpenFlowMessage(
                xid: 2,
                .vendor(
                    VendorMessage(
                        vendor: EchelonVendor.id, payload: ByteBuffer(bytes: [EchelonVendor.version, 99, 0, 0])))))
        #expect(unknown.waitForClose(timeout: 5))

        // A peer that advertises 17 hops, and one that claims b's own UID as a route's origin.
        let farAway = try RawSwitch(port: unitPort)
        #expect(Self.handshakeAsPeer(farAway, uid: 98))
        var advertisement = UnitMessage.routeAdvertisement(
            RouteAdvertisement(routes: [RouteEntry(sid: ServiceID(5), origin: UnitID(40), hops: 3)])
        ).openFlowMessage(xid: 3).encoded()
        advertisement.setInteger(UInt8(17), at: 28)
        farAway.sendBytes(Array(advertisement.readableBytesView))
        #expect(farAway.waitForClose(timeout: 5))

        let impostor = try RawSwitch(port: unitPort)
        #expect(Self.handshakeAsPeer(impostor, uid: 97))
        impostor.send(
            UnitMessage.routeAdvertisement(
                RouteAdvertisement(routes: [RouteEntry(sid: ServiceID(6), origin: UnitID(11), hops: 1)])
            ).openFlowMessage(xid: 3))
        #expect(impostor.waitForClose(timeout: 5))

        // A unit that says HELLO and then nothing: closed at the handshake timeout (1 s here).
        let silent = try RawSwitch(port: unitPort)
        #expect(silent.receive(.hello) != nil)
        silent.send(OpenFlowMessage(xid: 1, .hello(Hello())))
        #expect(silent.waitForClose(timeout: 5))

        // b still has its upstream and its route, and said why it closed each channel.
        #expect(await UnitTopologyTests.table(adminPort: admin) == [200: "20/1"])
        let (status, log) = b.stop()
        #expect(status == 0)
        for reason in [
            "unrecoverable framing error", "ofp_vendor_header.vendor at offset 8: unknown type 8992",
            "echelon_header.subtype at offset 13: unknown type 99",
            "route.hops at offset 28: length 17 is above the maximum 16",
            "claims our own UID u11", "the exports exchange did not complete in time",
        ] {
            #expect(log.contains(reason), "the log says \"\(reason)\"")
        }
    }

    /// A neighbour that floods returns nobody asked for, and sends events for a service b
    /// cannot reach: each is refused and counted, the log says so without repeating itself a
    /// thousand times, the channel stays up, and b's route and its other channel are untouched.
    @Test func floodedReturnsAreCountedNotObeyed() async throws {
        let (root, b, unitPort, admin) = try Self.start()
        defer { _ = root.stop() }
        #expect(await UnitTopologyTests.converge([admin: [200: "20/1"]], within: .seconds(10)) != nil)
        let peer = try RawSwitch(port: unitPort)
        #expect(Self.handshakeAsPeer(peer, uid: 96))
        let flood = (0..<1000).map { index in
            UnitMessage.eventReturn(
                EventReturn(
                    transaction: UInt32(5000 + index), sid: ServiceID(200), verdict: .stop,
                    messages: [
                        EventReturn.SwitchMessage(
                            datapathID: DatapathID(rawValue: 1),
                            message: OpenFlowMessage(xid: 0, .barrierRequest(BarrierRequest())))
                    ])
            ).openFlowMessage(xid: UInt32(index)).encoded()
        }
        peer.sendBytes(flood.flatMap { Array($0.readableBytesView) })
        // An event for a service b has no route to: answered at once, unreachable.
        let event = EscalatedEvent(
            transaction: 77, sid: ServiceID(4242), domain: UnitID(96), category: .switchRemoved,
            datapathID: DatapathID(rawValue: 9), payload: .none)
        peer.send(UnitMessage.event(event).openFlowMessage(xid: 2000))
        // Route advertisements and exports (b relays its upstream routes to peers) come too.
        var answer: UnitMessage?
        for _ in 0..<20 {
            guard case .vendor(let vendor) = peer.receive(.vendor)?.body else { break }
            if case .eventReturn = try? UnitMessage(parsing: vendor) {
                answer = try? UnitMessage(parsing: vendor)
                break
            }
        }
        #expect(answer == .eventReturn(EventReturn(transaction: 77, sid: ServiceID(4242), verdict: .unreachable)))
        // The channel stays up: a bad return is not a protocol violation. Asked now, while the
        // raw peer has just been heard (it answers no keepalive, so b rightly closes the channel
        // once it has been silent for the keepalive timeout).
        peer.send(OpenFlowMessage(xid: 4343, .echoRequest(EchoRequest())))
        #expect(peer.receive(.echoReply, timeout: 5)?.xid == 4343, "the channel stays up after the flood")

        struct Counters: Decodable {
            struct Totals: Decodable { let rejected: [String: Int] }
            let totals: Totals
        }
        let url = try #require(URL(string: "http://127.0.0.1:\(admin)/counters"))
        let (data, _) = try await URLSession.shared.data(from: url)
        let counters = try JSONDecoder().decode(Counters.self, from: data)
        #expect(counters.totals.rejected["unknown_transaction"] == 1000)
        #expect(counters.totals.rejected["unreachable_service"] == 1)
        #expect(await UnitTopologyTests.table(adminPort: admin) == [200: "20/1"])
        let (status, log) = b.stop()
        #expect(status == 0)
        let lines = log.split(separator: "\n").filter { $0.contains("unknown transaction") }
        #expect((1...5).contains(lines.count), "rate-limited: \(lines.count) lines for 1,000 rejections")
    }
}
