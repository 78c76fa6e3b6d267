import NIOCore
import OpenFlow

/// A message of the unit protocol, carried in an OFPT_VENDOR message (see `EchelonVendor`).
public enum UnitMessage: Hashable, Sendable {
    case exportsRequest(ExportsRequest)
    case exportsReply(Exports)
    case exportsUpdate(Exports)
    case routeAdvertisement(RouteAdvertisement)
    case routeWithdrawal(RouteWithdrawal)
    case event(EscalatedEvent)
    case eventReturn(EventReturn)
    case command(ServiceCommand)

    public var type: UnitMessageType {
        switch self {
        case .exportsRequest: .exportsRequest
        case .exportsReply: .exportsReply
        case .exportsUpdate: .exportsUpdate
        case .routeAdvertisement: .routeAdvertisement
        case .routeWithdrawal: .routeWithdrawal
        case .event: .event
        case .eventReturn: .eventReturn
        case .command: .command
        }
    }

    /// Reads the unit message inside a vendor message. A vendor id that is not Echelon's, a
    /// unit version we do not speak, an unknown subtype, a malformed body, bytes after it or
    /// more unit messages packed after it (`UnitMessagePack` reads those) are errors naming the
    /// field and its offset in the whole OpenFlow message.
    public init(parsing vendor: VendorMessage) throws(WireError) {
        var pack = try UnitMessagePack(parsing: vendor)
        self = try pack.sole()
    }

    /// Reads the unit message in an OpenFlow frame straight from its bytes, with the errors of
    /// parsing the frame as an OpenFlow message and then `init(parsing:)`; nil when the frame
    /// is not a vendor message.
    public init?(parsingFrame frame: ByteBuffer) throws(WireError) {
        guard var pack = try UnitMessagePack(frame: frame) else { return nil }
        self = try pack.sole()
    }

    /// The unit header read (its version checked); `reader` covers the body and nothing after it.
    init(header: UnitHeader, body reader: inout WireReader) throws(WireError) {
        let subtypeOffset = reader.offset - EchelonVendor.unitHeaderSize + 1
        switch header.subtype {
        case .exportsRequest: self = .exportsRequest(try ExportsRequest(parsing: &reader))
        case .exportsReply: self = .exportsReply(try Exports(parsing: &reader))
        case .exportsUpdate: self = .exportsUpdate(try Exports(parsing: &reader))
        case .routeAdvertisement: self = .routeAdvertisement(try RouteAdvertisement(parsing: &reader))
        case .routeWithdrawal: self = .routeWithdrawal(try RouteWithdrawal(parsing: &reader))
        case .event: self = .event(try EscalatedEvent(parsing: &reader))
        case .eventReturn: self = .eventReturn(try EventReturn(parsing: &reader))
        case .command: self = .command(try ServiceCommand(parsing: &reader))
        default:
            throw WireError(
                .unknownType(UInt64(header.subtype.rawValue)), field: "echelon_header.subtype", offset: subtypeOffset)
        }
        do {
            try reader.expectEnd(field: "")
        } catch {
            throw WireError(error.reason, field: header.subtype.description, offset: error.offset)
        }
    }

    /// Whether a vendor message claims to be ours (it may still be malformed).
    public static func isEchelon(_ vendor: VendorMessage) -> Bool { vendor.vendor == EchelonVendor.id }

    /// The vendor message that carries this one.
    public var vendorMessage: VendorMessage {
        var payload = ByteBuffer()
        writePayload(to: &payload)
        return VendorMessage(vendor: EchelonVendor.id, payload: payload)
    }

    /// The unit header and body: what follows the vendor id.
    func writePayload(to buffer: inout ByteBuffer) {
        let type = self.type
        buffer.writeFixed(EchelonVendor.unitHeaderSize) { Self.writeUnitHeader(type, to: &$0) }
        writeBody(to: &buffer)
    }

    private static func writeUnitHeader(_ type: UnitMessageType, to field: inout FixedFieldWriter) {
        field.write(EchelonVendor.version)
        field.write(type.rawValue)
        // Length 0: the message runs to the end of its vendor message (a packer sets the
        // lengths of the messages it packs, `UnitMessagePacker`).
        field.write(UInt16(0))
    }

    private func writeBody(to buffer: inout ByteBuffer) {
        switch self {
        case .exportsRequest(let request): request.write(to: &buffer)
        case .exportsReply(let exports), .exportsUpdate(let exports): exports.write(to: &buffer)
        case .routeAdvertisement(let advertisement): advertisement.write(to: &buffer)
        case .routeWithdrawal(let withdrawal): withdrawal.write(to: &buffer)
        case .event(let event): event.write(to: &buffer)
        case .eventReturn(let eventReturn): eventReturn.write(to: &buffer)
        case .command(let command): command.write(to: &buffer)
        }
    }

    /// Appends the whole OpenFlow message to `buffer` in one pass, without building the vendor
    /// message first (events and returns go out at the rate of PACKET_INs).
    public func write(to buffer: inout ByteBuffer, xid: UInt32) {
        switch self {
        case .event(let event):
            Self.writeCarried(.event, xid: xid, to: &buffer) { buffer, prefixLength, header in
                event.write(to: &buffer, prefixLength: prefixLength, header)
            }
        case .eventReturn(let eventReturn):
            Self.writeCarried(.eventReturn, xid: xid, to: &buffer) { buffer, prefixLength, header in
                eventReturn.write(to: &buffer, prefixLength: prefixLength, header)
            }
        default:
            Self.writeCarried(type, xid: xid, to: &buffer) { buffer, prefixLength, header in
                buffer.writeFixed(prefixLength) { header(&$0, nil) }
                writeBody(to: &buffer)
            }
        }
    }

    /// An ECH_EVENT that carries an OpenFlow message, written from its parts as
    /// `write(to:xid:)` writes the event: a unit escalating a PACKET_IN builds no event value.
    public static func writeEvent(
        transaction: UInt32, sid: ServiceID, domain: UnitID, category: EventCategory, deadline: UInt64,
        datapathID: DatapathID, messageXID: UInt32, _ body: OpenFlowMessage.Body, to buffer: inout ByteBuffer,
        xid: UInt32
    ) {
        writeCarried(.event, xid: xid, to: &buffer) { buffer, prefixLength, header in
            EscalatedEvent.write(
                transaction: transaction, sid: sid, domain: domain, category: category, deadline: deadline,
                datapathID: datapathID,
                version: OpenFlowHeader.version10, messageXID: messageXID, body, to: &buffer,
                prefixLength: prefixLength, header)
        }
    }

    /// An ECH_RETURN written from its parts as `write(to:xid:)` writes the return: a unit
    /// answering an event from below builds no return value.
    public static func writeReturn(
        transaction: UInt32, sid: ServiceID, verdict: ReturnVerdict, messages: EventReturn.SwitchMessageList,
        bypass: [MACAddress] = [], context: [ContextEntry] = [], to buffer: inout ByteBuffer, xid: UInt32
    ) {
        writeCarried(.eventReturn, xid: xid, to: &buffer) { buffer, prefixLength, header in
            EventReturn.write(
                transaction: transaction, sid: sid, verdict: verdict, messages: messages, bypass: bypass,
                context: context,
                to: &buffer, prefixLength: prefixLength, header)
        }
    }

    /// Writes a unit message of `type`: `body` appends the body after a prefix of
    /// `prefixLength` bytes that it has the given header write (the OpenFlow header, the vendor
    /// id and the unit header, in one view of the buffer with the body's own fixed fields),
    /// telling it the whole length when that is known first; otherwise it is set at the end.
    private static func writeCarried(
        _ type: UnitMessageType, xid: UInt32, to buffer: inout ByteBuffer,
        _ body: (inout ByteBuffer, Int, (inout FixedFieldWriter, Int?) -> Void) -> Void
    ) {
        let start = buffer.writerIndex
        var declared: Int?
        func header(_ field: inout FixedFieldWriter, wholeLength: Int?) {
            declared = wholeLength.flatMap { $0 <= OpenFlowHeader.maximumLength ? $0 : nil }
            OpenFlowHeader(version: OpenFlowHeader.version10, type: .vendor, length: UInt16(declared ?? 0), xid: xid)
                .write(to: &field)
            field.write(EchelonVendor.id)
            writeUnitHeader(type, to: &field)
        }
        body(&buffer, EchelonVendor.bodyOffset, header)
        let length = buffer.writerIndex - start
        precondition(
            length <= OpenFlowHeader.maximumLength, "unit message of \(length) bytes exceeds the 16-bit length field")
        if let declared {
            precondition(declared == length, "unit message declared \(declared) bytes and wrote \(length)")
        } else {
            buffer.setInteger(UInt16(length), at: start + 2)
        }
    }

    /// The whole OpenFlow message.
    public func openFlowMessage(xid: UInt32) -> OpenFlowMessage {
        OpenFlowMessage(xid: xid, .vendor(vendorMessage))
    }
}
