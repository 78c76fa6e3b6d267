import Foundation
import NIOCore
import OpenFlow
import Testing
import UnitProtocol

@testable import echelon

/// `echelon decode` understands the unit protocol inside OFPT_VENDOR.
@Suite struct DecodeUnitMessageTests {
    static func decode(_ message: OpenFlowMessage) -> [DecodedMessage] {
        var input = message.encoded()
        var decoder = MessageStreamDecoder(maximumLength: OpenFlowHeader.maximumLength)
        return decoder.decode(&input)
    }

    @Test func printsTheUnitMessageUnderItsVendorMessage() {
        let request = UnitMessage.exportsRequest(
            ExportsRequest(unit: UnitIdentity(uid: UnitID(3), tier: 1, name: "tier1-b")))
        let text = DecodeOutput.text(Self.decode(request.openFlowMessage(xid: 7)))
        #expect(
            text == """
                OFPT_VENDOR (xid=0x7): vendor=0x00454348 (21 bytes of payload)
                ECH_EXPORTS_REQUEST: from u3 "tier1-b" tier 1
                """)
    }

    @Test func aMalformedUnitMessageIsAnErrorWithItsOffset() {
        var bytes = UnitMessage.routeAdvertisement(
            RouteAdvertisement(routes: [RouteEntry(sid: ServiceID(1), origin: UnitID(2), hops: 1)])
        ).openFlowMessage(xid: 1).encoded()
        bytes.setInteger(UInt8(17), at: 28)
        var decoder = MessageStreamDecoder(maximumLength: OpenFlowHeader.maximumLength)
        let results = decoder.decode(&bytes)
        #expect(throws: WireError(.lengthAboveMaximum(length: 17, maximum: 16), field: "route.hops", offset: 28)) {
            try results[0].result.get()
        }
    }

    @Test func aForeignVendorMessageStaysOpaque() throws {
        let results = Self.decode(
            OpenFlowMessage(xid: 1, .vendor(VendorMessage(vendor: 0x2320, payload: ByteBuffer(bytes: [1, 2, 3])))))
        #expect(results[0].unitMessage == nil)
        #expect(try results[0].result.get().type == .vendor)
    }

    @Test func jsonCarriesTheUnitMessage() throws {
        let advertisement = UnitMessage.routeAdvertisement(
            RouteAdvertisement(routes: [RouteEntry(sid: ServiceID(9), origin: UnitID(2), hops: 4)]))
        let json = try DecodeOutput.json(Self.decode(advertisement.openFlowMessage(xid: 1)))
        let entries = try #require(try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [[String: Any]])
        let unit = try #require(entries.first?["unitMessage"] as? [String: Any])
        #expect(unit["type"] as? String == "ECH_ROUTE_ADVERTISEMENT")
        let route = try #require((unit["routes"] as? [[String: Any]])?.first)
        #expect(route["sid"] as? Int == 9 && route["origin"] as? Int == 2 && route["hops"] as? Int == 4)
    }

    @Test func printsAnEventWithItsEmbeddedMessageAndAReturnWithItsMessages() throws {
        let packetIn = OpenFlowMessage(
            xid: 5,
            .packetIn(
                PacketIn(
                    bufferID: BufferID(rawValue: 3), totalLength: 4, inPort: PortNumber(1),
                    data: ByteBuffer(bytes: [1, 2, 3, 4]))))
        let event = UnitMessage.event(
            EscalatedEvent(
                transaction: 9, sid: ServiceID(200), domain: UnitID(11), category: .packetIn,
                datapathID: DatapathID(rawValue: 1), payload: .message(packetIn)))
        let eventText = DecodeOutput.text(Self.decode(event.openFlowMessage(xid: 2)))
        #expect(eventText.contains("ECH_EVENT: transaction 9 for s200, packet_in on 0000000000000001 in domain u11"))
        #expect(eventText.contains("OFPT_PACKET_IN"), "the embedded PACKET_IN is printed: \(eventText)")
        let answer = UnitMessage.eventReturn(
            EventReturn(
                transaction: 9, sid: ServiceID(200), verdict: .stop,
                messages: [
                    EventReturn.SwitchMessage(
                        datapathID: DatapathID(rawValue: 1),
                        message: OpenFlowMessage(xid: 0, .barrierRequest(BarrierRequest())))
                ],
                bypass: [MACAddress(0, 0, 0, 0, 0, 1)], context: [ContextEntry(key: "auth", value: "allowed")]))
        let answerText = DecodeOutput.text(Self.decode(answer.openFlowMessage(xid: 3)))
        #expect(
            answerText.contains("ECH_RETURN: transaction 9 from s200, verdict stop, 1 messages, 1 bypass, 1 context"))
        #expect(answerText.contains(" to 0000000000000001: OFPT_BARRIER_REQUEST"), "\(answerText)")
        #expect(answerText.contains(" bypass 00:00:00:00:00:01") && answerText.contains(" context auth=allowed"))
        let json = try DecodeOutput.json(Self.decode(answer.openFlowMessage(xid: 3)))
        #expect(json.contains("\"verdict\" : \"stop\"") || json.contains("\"verdict\":\"stop\""), "\(json)")
    }

    @Test func printsEveryMessageOfAPackAndListsThemInJSON() throws {
        let returns = (UInt32(1)...3).map {
            UnitMessage.eventReturn(EventReturn(transaction: $0, sid: ServiceID(9), verdict: .unreachable))
        }
        var input = ByteBuffer()
        var packer = UnitMessagePacker()
        for message in returns {
            packer.append(to: &input) { message.write(to: &$0, xid: 4) }
        }
        var decoder = MessageStreamDecoder(maximumLength: OpenFlowHeader.maximumLength)
        let results = decoder.decode(&input)
        #expect(results.count == 1)
        #expect(results.first?.unitMessages == returns)
        let text = DecodeOutput.text(results)
        #expect(text.components(separatedBy: "ECH_RETURN").count == 4, "each packed return is printed: \(text)")
        let json = try DecodeOutput.json(results)
        let entries = try #require(try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [[String: Any]])
        #expect((entries.first?["unitMessages"] as? [[String: Any]])?.count == 3)
        #expect(entries.first?["unitMessage"] == nil)
    }
}
