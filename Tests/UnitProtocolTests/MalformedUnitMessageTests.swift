import NIOCore
import OpenFlow
import Testing
import UnitProtocol

/// Each malformed input and the error it must produce: the field and its offset in the whole
/// OpenFlow message.
@Suite struct MalformedUnitMessageTests {
    /// The vendor payload (unit header onwards) of a message, as bytes to corrupt.
    static func payload(_ message: UnitMessage) -> [UInt8] { Array(message.vendorMessage.payload.readableBytesView) }

    static func parse(_ payload: [UInt8], vendor: UInt32 = EchelonVendor.id) -> WireError? {
        do {
            _ = try UnitMessage(parsing: VendorMessage(vendor: vendor, payload: ByteBuffer(bytes: payload)))
            return nil
        } catch { return error }
    }

    static let request = payload(
        .exportsRequest(ExportsRequest(unit: UnitIdentity(uid: UnitID(1), tier: 1, name: "a1"))))
    static let reply = payload(
        .exportsReply(Exports(unit: SampleUnitMessages.tier2, services: [SampleUnitMessages.authenticator])))
    static let advertisement = payload(
        .routeAdvertisement(RouteAdvertisement(routes: [RouteEntry(sid: ServiceID(1), origin: UnitID(2), hops: 1)])))

    /// Offset of a payload byte in the whole OpenFlow message.
    static func at(_ payloadOffset: Int) -> Int { EchelonVendor.unitHeaderOffset + payloadOffset }

    static func replacing(_ bytes: [UInt8], _ index: Int, with values: UInt8...) -> [UInt8] {
        var copy = bytes
        for (offset, value) in values.enumerated() { copy[index + offset] = value }
        return copy
    }

    /// The same payload read from a whole frame, as a unit channel reads events and returns
    /// (`UnitMessage(parsingFrame:)`, which reads its headers in fewer pieces).
    static func parseFrame(_ payload: [UInt8], vendor: UInt32 = EchelonVendor.id) -> WireError? {
        do {
            _ = try UnitMessage(
                parsingFrame: OpenFlowMessage(
                    xid: 1, .vendor(VendorMessage(vendor: vendor, payload: ByteBuffer(bytes: payload)))
                ).encoded())
            return nil
        } catch { return error }
    }

    /// Every cut and every byte changed (to a few values) of an event, a return and a request:
    /// read from a frame, each fails exactly as read from a vendor message.
    @Test func aFrameFailsAsItsVendorMessageDoes() {
        for sample in [Self.event, Self.answer, Self.request] {
            for length in 0...sample.count {
                let cut = Array(sample.prefix(length))
                #expect(Self.parseFrame(cut) == Self.parse(cut), "cut to \(length)")
            }
            for index in sample.indices {
                for value: UInt8 in [0, 1, 2, 7, 0x10, 0xff] {
                    let changed = Self.replacing(sample, index, with: value)
                    #expect(Self.parseFrame(changed) == Self.parse(changed), "byte \(index) = \(value)")
                }
            }
        }
        for length in 1...4 {
            let wrongVersionCut = Array(Self.replacing(Self.event, 0, with: 2).prefix(length))
            #expect(
                Self.parseFrame(wrongVersionCut) == Self.parse(wrongVersionCut), "another version, cut to \(length)")
        }
        #expect(Self.parseFrame(Self.event, vendor: 0x2320) == Self.parse(Self.event, vendor: 0x2320))
        #expect(
            Self.parseFrame(Array(Self.event.prefix(2)), vendor: 0x2320)
                == Self.parse(Array(Self.event.prefix(2)), vendor: 0x2320))
    }

    @Test func aForeignVendorIdIsNotOurs() {
        #expect(
            Self.parse(Self.request, vendor: 0x0000_2320)
                == WireError(.unknownType(0x2320), field: "ofp_vendor_header.vendor", offset: 8))
    }

    @Test func anotherUnitVersionIsRefused() {
        #expect(
            Self.parse(Self.replacing(Self.request, 0, with: 1))
                == WireError(.unsupportedVersion(1), field: "echelon_header.version", offset: 12),
            "version 1 had no deadline in ECH_EVENT")
        #expect(
            Self.parse(Self.replacing(Self.request, 0, with: 3))
                == WireError(.unsupportedVersion(3), field: "echelon_header.version", offset: 12))
    }

    @Test func anUnknownSubtypeIsNamed() {
        #expect(
            Self.parse(Self.replacing(Self.request, 1, with: 99))
                == WireError(.unknownType(99), field: "echelon_header.subtype", offset: 13))
        #expect(
            Self.parse(Self.replacing(Self.request, 1, with: 48))
                == WireError(.unknownType(48), field: "echelon_header.subtype", offset: 13), "no subtype 48")
    }

    @Test func aShortUnitHeader() {
        #expect(
            Self.parse([EchelonVendor.version, 1])
                == WireError(.truncated(needed: 2, available: 0), field: "echelon_header.length", offset: 14))
        #expect(
            Self.parse([])
                == WireError(.truncated(needed: 1, available: 0), field: "echelon_header.version", offset: 12))
    }

    @Test func aNameLongerThanItsMaximum() {
        #expect(
            Self.parse(Self.replacing(Self.request, 12, with: 0x01, 0x00))
                == WireError(
                    .lengthAboveMaximum(length: 256, maximum: 255), field: "exports_request.name.length",
                    offset: Self.at(12)))
    }

    @Test func aNameLongerThanTheMessage() {
        #expect(
            Self.parse(Self.replacing(Self.request, 12, with: 0x00, 0x09))
                == WireError(.truncated(needed: 9, available: 2), field: "exports_request.name", offset: Self.at(14)))
    }

    @Test func aNameThatIsNotUTF8() {
        #expect(
            Self.parse(Self.replacing(Self.request, 14, with: 0xff))
                == WireError(.invalidText, field: "exports_request.name", offset: Self.at(14)))
    }

    @Test func trailingBytesAfterTheBody() {
        #expect(
            Self.parse(Self.request + [0])
                == WireError(.trailingBytes(count: 1), field: "ECH_EXPORTS_REQUEST", offset: Self.at(16)))
    }

    @Test func anUnknownExportsFlag() {
        #expect(
            Self.parse(Self.replacing(Self.reply, 9, with: 0x02))
                == WireError(.invalidValue(2), field: "exports.flags", offset: Self.at(9)))
    }

    @Test func aServiceCountTheMessageCannotHold() {
        // Checked before anything is allocated for the services.
        #expect(
            Self.parse(Self.replacing(Self.reply, 10, with: 0x0f, 0xff))
                == WireError(
                    .truncated(needed: 4095 * 24, available: Self.reply.count - 12), field: "exports.services",
                    offset: Self.at(12)))
        #expect(
            Self.parse(Self.replacing(Self.reply, 10, with: 0xff, 0xff))
                == WireError(
                    .lengthAboveMaximum(length: 65535, maximum: 4096), field: "exports.services.count",
                    offset: Self.at(10)))
    }

    /// The first service starts after the unit header (4), the exports header (8) and the
    /// name (2 + 10 bytes of "tier2-core").
    static let service = 4 + 8 + 2 + 10

    @Test func anUnknownProcessChainAction() {
        #expect(
            Self.parse(Self.replacing(Self.reply, Self.service + 12, with: 4))
                == WireError(.invalidValue(4), field: "exported_service.action", offset: Self.at(Self.service + 12)))
    }

    @Test func anUnknownTimeoutPolicy() {
        #expect(
            Self.parse(Self.replacing(Self.reply, Self.service + 13, with: 2))
                == WireError(
                    .invalidValue(2), field: "exported_service.timeout_policy", offset: Self.at(Self.service + 13)))
    }

    @Test func anUnknownSubscriptionBit() {
        #expect(
            Self.parse(Self.replacing(Self.reply, Self.service + 14, with: 0x80, 0x00))
                == WireError(
                    .invalidValue(0x8000), field: "exported_service.subscriptions", offset: Self.at(Self.service + 14)))
    }

    @Test func aHopCountAboveInfinity() {
        #expect(
            Self.parse(Self.replacing(Self.advertisement, 16, with: 17))
                == WireError(.lengthAboveMaximum(length: 17, maximum: 16), field: "route.hops", offset: Self.at(16)))
    }

    @Test func aRouteCountTheMessageCannotHold() {
        #expect(
            Self.parse(Self.replacing(Self.advertisement, 4, with: 0x00, 0x02))
                == WireError(
                    .truncated(needed: 24, available: 14), field: "route_advertisement.routes", offset: Self.at(6)))
    }

    @Test func aWithdrawalCutShort() {
        let withdrawal = Self.payload(.routeWithdrawal(RouteWithdrawal(sids: [ServiceID(1)])))
        #expect(
            Self.parse(Array(withdrawal.dropLast(2)))
                == WireError(.truncated(needed: 4, available: 2), field: "route_withdrawal.sid", offset: Self.at(8)))
    }

    static let event = payload(SampleUnitMessages.all.first { $0.0 == "event, packet_in" }!.1)
    static let answer = payload(
        SampleUnitMessages.all.first { $0.0 == "return, stop with messages, bypass and context" }!.1)

    @Test func anEventCategoryOutOfRange() {
        // Unit header 4, transaction 4, sid 4, domain 4: the category is payload byte 16.
        #expect(
            Self.parse(Self.replacing(Self.event, 16, with: 11))
                == WireError(.invalidValue(11), field: "event.category", offset: Self.at(16)))
    }

    @Test func anEventWhosePayloadIsNotItsCategorysMessage() {
        // switch_added (0) must carry a FEATURES_REPLY, not the PACKET_IN that is there.
        let error = Self.parse(Self.replacing(Self.event, 16, with: 0))
        #expect(error?.field == "event.message.type (switch_added carries OFPT_FEATURES_REPLY)")
        #expect(error?.offset == Self.at(37))
    }

    @Test func anEmbeddedMessageLongerThanTheEvent() {
        // The embedded PACKET_IN's length field is payload bytes 38–39 (unit header 4, event
        // header 32, then the message's version and type).
        let error = Self.parse(Self.replacing(Self.event, 38, with: 0x10, 0x00))
        #expect(error?.field == "event.message")
        #expect(error?.offset == Self.at(36))
        if case .truncated = error?.reason {
        } else {
            Issue.record("expected truncated, got \(String(describing: error))")
        }
    }

    /// An event read with its message's header in the same view: when the category carries no
    /// message, the bytes read ahead are given back and read as what they are.
    @Test func bytesReadAheadOfAnEventWithoutAMessageAreItsOwn() {
        // switch_removed (index 2) carries nothing: the PACKET_IN's bytes after the event's
        // header are extra, counted from where they start.
        let extra = Self.event.count - 4 - 32
        #expect(
            Self.parse(Self.replacing(Self.event, 16, with: 2))
                == WireError(.trailingBytes(count: extra), field: "ECH_EVENT", offset: Self.at(36)))
    }

    @Test func anEmbeddedMessageShorterThanAHeader() {
        #expect(
            Self.parse(Self.replacing(Self.event, 38, with: 0, 4))
                == WireError(
                    .lengthBelowMinimum(length: 4, minimum: 8), field: "event.message.length", offset: Self.at(38)))
    }

    @Test func anEmbeddedMessageThatIsItselfMalformed() {
        // The PACKET_IN body starts at payload byte 44: its total_len field is fine, but cut the
        // embedded length to 12 so the body is shorter than a PACKET_IN's minimum.
        let error = Self.parse(Self.replacing(Self.event, 38, with: 0, 12))
        #expect(error?.field.hasPrefix("event.message.") == true)
        #expect(error?.offset == Self.at(36 + 2))
    }

    @Test func aReturnedFlowModWithABadActionIsRefusedWhereItIsWrong() {
        // The return's first message is a FLOW_MOD at payload byte 28 (unit header 4, return
        // header 16, DPID 8); its actions start 72 bytes in, and the action's length is at +2.
        // It is checked, not parsed, and must fail exactly as parsing would.
        #expect(
            Self.parse(Self.replacing(Self.answer, 102, with: 0, 4))
                == WireError(
                    .lengthBelowMinimum(length: 4, minimum: 8), field: "return.message.ofp_action_header.len",
                    offset: Self.at(102)))
        #expect(
            Self.parse(Self.replacing(Self.answer, 30, with: 0, 71))
                == WireError(
                    .lengthBelowMinimum(length: 71, minimum: 72), field: "return.message.ofp_header.length",
                    offset: Self.at(30)))
    }

    /// A returned message is checked through reads of its own: its length lies as an event's does.
    @Test func aReturnedMessageWhoseLengthLiesIsRefusedAsAnEventsIs() {
        // The FLOW_MOD's length field is payload bytes 30–31.
        #expect(
            Self.parse(Self.replacing(Self.answer, 30, with: 0, 4))
                == WireError(
                    .lengthBelowMinimum(length: 4, minimum: 8), field: "return.message.length", offset: Self.at(30)))
        let longer = Self.parse(Self.replacing(Self.answer, 30, with: 0x10, 0x00))
        #expect(longer?.field == "return.message")
        #expect(longer?.offset == Self.at(28))
        if case .truncated(let needed, _) = longer?.reason {
            #expect(needed == 0x1000)
        } else {
            Issue.record("expected truncated, got \(String(describing: longer))")
        }
        // A version other than 1.0 inside a return, as parsing refuses it.
        #expect(
            Self.parse(Self.replacing(Self.answer, 28, with: 4))
                == WireError(
                    .unsupportedVersion(4), field: "return.message.ofp_header.version", offset: Self.at(28)))
    }

    @Test func anUnknownVerdict() {
        #expect(
            Self.parse(Self.replacing(Self.answer, 12, with: 4))
                == WireError(.invalidValue(4), field: "return.verdict", offset: Self.at(12)))
    }

    @Test func aReturnWithMoreMessagesThanAllowed() {
        #expect(
            Self.parse(Self.replacing(Self.answer, 14, with: 0x01, 0x01))
                == WireError(
                    .lengthAboveMaximum(length: 257, maximum: 256), field: "return.messages.count", offset: Self.at(14))
        )
    }

    @Test func aReturnWhoseCountsTheMessageCannotHold() {
        let error = Self.parse(Self.replacing(Self.answer, 16, with: 0x01, 0x00))
        #expect(error?.field == "return")
        if case .truncated = error?.reason {
        } else {
            Issue.record("expected truncated, got \(String(describing: error))")
        }
    }

    @Test func aCutHeaderNamesTheFirstFieldThatIsMissing() {
        // The fixed headers are read in one piece; a short one still names the field where it ends.
        #expect(
            Self.parse(Array(Self.event.prefix(4 + 9)))
                == WireError(.truncated(needed: 4, available: 1), field: "event.domain", offset: Self.at(12)))
        #expect(
            Self.parse(Array(Self.event.prefix(4 + 20)))
                == WireError(.truncated(needed: 8, available: 4), field: "event.deadline", offset: Self.at(20)))
        #expect(
            Self.parse(Array(Self.event.prefix(4 + 30)))
                == WireError(.truncated(needed: 8, available: 6), field: "event.dpid", offset: Self.at(28)))
        #expect(
            Self.parse(Array(Self.answer.prefix(4 + 13)))
                == WireError(.truncated(needed: 2, available: 1), field: "return.bypass.count", offset: Self.at(16)))
    }

    @Test func aMessageCountTheRestOfTheReturnCannotHold() {
        // 300 is over the maximum; 200 messages of at least 16 bytes each are not in the bytes after the count.
        #expect(
            Self.parse(Self.replacing(Self.answer, 14, with: 0x00, 200))
                == WireError(
                    .truncated(needed: 3200, available: Self.answer.count - 16), field: "return.messages",
                    offset: Self.at(16)))
    }

    static let command = payload(
        SampleUnitMessages.all.first { $0.0 == "command, flows deleted and a host withdrawn" }!.1)

    @Test func aCommandWithMoreWithdrawnThanItsBytesHold() {
        // Unit header 4, sid 4, domain 4, message count 2: the withdrawn count is payload bytes 14–15.
        #expect(
            Self.parse(Self.replacing(Self.command, 14, with: 0x00, 100))
                == WireError(
                    .truncated(needed: 800, available: Self.command.count - 16), field: "command.withdrawn",
                    offset: Self.at(16)))
        #expect(
            Self.parse(Self.replacing(Self.command, 14, with: 0x01, 0x01))
                == WireError(
                    .lengthAboveMaximum(length: 257, maximum: 256), field: "command.withdrawn.count",
                    offset: Self.at(14)))
    }

    @Test func aCommandedMessageWhoseLengthLiesIsRefused() {
        // The FLOW_MOD follows the 16-byte command header and its DPID: its length is payload bytes 30–31.
        #expect(
            Self.parse(Self.replacing(Self.command, 30, with: 0, 4))
                == WireError(
                    .lengthBelowMinimum(length: 4, minimum: 8), field: "command.message.length", offset: Self.at(30)))
    }

    @Test func aCutWithdrawalNamesItsAddress() {
        #expect(
            Self.parse(Array(Self.command.dropLast(5)))?.field == "command.withdrawn.mac")
    }
}
