import NIOCore

/// One OpenFlow 1.0 action (`ofp_action_*`).
public enum Action: WireStructure {
    /// Output to a port; `maxLength` bytes are sent when the port is the controller.
    case output(port: PortNumber, maxLength: UInt16)
    case setVlanVid(UInt16)
    case setVlanPcp(UInt8)
    case stripVlan
    case setDlSrc(MACAddress)
    case setDlDst(MACAddress)
    case setNwSrc(IPv4Address)
    case setNwDst(IPv4Address)
    case setNwTos(UInt8)
    case setTpSrc(UInt16)
    case setTpDst(UInt16)
    /// Output to a queue attached to a port.
    case enqueue(port: PortNumber, queueID: UInt32)
    /// A vendor action. `body` is what follows the vendor id; the action is zero-padded to a
    /// multiple of 8 bytes, so a parsed body includes that padding.
    case vendor(vendor: UInt32, body: ByteBuffer)

    static let headerSize = 4

    public var type: ActionType {
        switch self {
        case .output: return .output
        case .setVlanVid: return .setVlanVid
        case .setVlanPcp: return .setVlanPcp
        case .stripVlan: return .stripVlan
        case .setDlSrc: return .setDlSrc
        case .setDlDst: return .setDlDst
        case .setNwSrc: return .setNwSrc
        case .setNwDst: return .setNwDst
        case .setNwTos: return .setNwTos
        case .setTpSrc: return .setTpSrc
        case .setTpDst: return .setTpDst
        case .enqueue: return .enqueue
        case .vendor: return .vendor
        }
    }

    /// Bytes this action occupies on the wire, always a multiple of 8.
    public var length: Int {
        switch self {
        case .setDlSrc, .setDlDst, .enqueue: return 16
        case .vendor(_, let body): return 8 + (body.readableBytes + 7) / 8 * 8
        default: return 8
        }
    }

    /// The fixed wire length of each standard action type; vendor actions vary.
    static func fixedLength(of type: ActionType) -> Int? {
        switch type {
        case .setDlSrc, .setDlDst, .enqueue: return 16
        case .vendor: return nil
        default: return 8
        }
    }

    /// Parses one action, including its `ofp_action_header`.
    public init(parsing reader: inout WireReader) throws(WireError) {
        let (type, start, body) = try Self.readHeader(&reader)
        var fields = body
        self = try Self.parseBody(type, at: start, &fields)
    }

    /// The `ofp_action_header`, checked: the type, where the action starts, and its body.
    private static func readHeader(_ reader: inout WireReader) throws(WireError) -> (ActionType, Int, WireReader) {
        let start = reader.offset
        let (rawType, length) = try reader.readFixed(Self.headerLayout) { field in
            (field.read(UInt16.self), Int(field.read(UInt16.self)))
        }
        let type = ActionType(rawValue: rawType)
        try checkHeader(type, length: length, remaining: reader.remaining, at: start)
        return (type, start, try reader.readReader(length: length - Action.headerSize, field: "ofp_action"))
    }

    static let headerLayout = FixedLayout(["ofp_action_header.type": 2, "ofp_action_header.len": 2])

    /// The rules an action header is held to, however it is read: `remaining` is what the list
    /// holds after the header of the action that starts at `start`.
    private static func checkHeader(_ type: ActionType, length: Int, remaining: Int, at start: Int) throws(WireError) {
        let lengthOffset = start + 2
        guard length >= 8 else {
            throw WireError(
                .lengthBelowMinimum(length: length, minimum: 8), field: "ofp_action_header.len", offset: lengthOffset)
        }
        guard length % 8 == 0 else {
            throw WireError(
                .lengthNotMultiple(length: length, multiple: 8), field: "ofp_action_header.len", offset: lengthOffset)
        }
        guard length - Action.headerSize <= remaining else {
            throw WireError(
                .lengthAboveMaximum(length: length, maximum: remaining + Action.headerSize),
                field: "ofp_action_header.len", offset: lengthOffset)
        }
        if let expected = Action.fixedLength(of: type), expected != length {
            throw WireError(
                .wrongBodySize(size: length, expected: expected), field: "ofp_action_header.len", offset: lengthOffset)
        }
    }

    private static func parseBody(
        _ type: ActionType, at start: Int, _ body: inout WireReader
    ) throws(WireError) -> Action {
        switch type {
        case .output:
            let port = PortNumber(try body.readInteger(field: "ofp_action_output.port"))
            return .output(port: port, maxLength: try body.readInteger(field: "ofp_action_output.max_len"))
        case .setVlanVid:
            return .setVlanVid(try body.readInteger(field: "ofp_action_vlan_vid.vlan_vid"))
        case .setVlanPcp:
            return .setVlanPcp(try body.readInteger(field: "ofp_action_vlan_pcp.vlan_pcp"))
        case .stripVlan:
            return .stripVlan
        case .setDlSrc:
            return .setDlSrc(try body.readMACAddress(field: "ofp_action_dl_addr.dl_addr"))
        case .setDlDst:
            return .setDlDst(try body.readMACAddress(field: "ofp_action_dl_addr.dl_addr"))
        case .setNwSrc:
            return .setNwSrc(try body.readIPv4Address(field: "ofp_action_nw_addr.nw_addr"))
        case .setNwDst:
            return .setNwDst(try body.readIPv4Address(field: "ofp_action_nw_addr.nw_addr"))
        case .setNwTos:
            return .setNwTos(try body.readInteger(field: "ofp_action_nw_tos.nw_tos"))
        case .setTpSrc:
            return .setTpSrc(try body.readInteger(field: "ofp_action_tp_port.tp_port"))
        case .setTpDst:
            return .setTpDst(try body.readInteger(field: "ofp_action_tp_port.tp_port"))
        case .enqueue:
            let port = PortNumber(try body.readInteger(field: "ofp_action_enqueue.port"))
            try body.skip(6, field: "ofp_action_enqueue.pad")
            return .enqueue(port: port, queueID: try body.readInteger(field: "ofp_action_enqueue.queue_id"))
        case .vendor:
            let vendor: UInt32 = try body.readInteger(field: "ofp_action_vendor_header.vendor")
            return .vendor(vendor: vendor, body: body.readRest())
        default:
            throw WireError(.unknownType(UInt64(type.rawValue)), field: "ofp_action_header.type", offset: start)
        }
    }

    public func write(to buffer: inout ByteBuffer) {
        let length = self.length
        if case .vendor(let vendor, let body) = self {
            buffer.writeFixed(8) { field in
                field.write(ActionType.vendor.rawValue)
                field.write(UInt16(length))
                field.write(vendor)
            }
            buffer.writeImmutableBuffer(body)
            buffer.writePadding(length - 8 - body.readableBytes)
            return
        }
        buffer.writeFixed(length) { write(to: &$0) }
    }

    /// Writes a standard (not vendor) action into a fixed structure that holds it, so that a
    /// message made only of fixed parts is written through one view of the buffer.
    public func write(to field: inout FixedFieldWriter) {
        precondition(!isVendor, "a vendor action has no fixed size")
        let length = self.length
        field.write(type.rawValue)
        field.write(UInt16(length))
        switch self {
        case .output(let port, let maxLength):
            field.write(port.rawValue)
            field.write(maxLength)
        case .setVlanVid(let vid):
            field.write(vid)
            field.pad(2)
        case .setVlanPcp(let pcp):
            field.write(pcp)
            field.pad(3)
        case .stripVlan:
            field.pad(4)
        case .setDlSrc(let address), .setDlDst(let address):
            field.writeMACAddress(address)
            field.pad(6)
        case .setNwSrc(let address), .setNwDst(let address):
            field.writeIPv4Address(address)
        case .setNwTos(let tos):
            field.write(tos)
            field.pad(3)
        case .setTpSrc(let port), .setTpDst(let port):
            field.write(port)
            field.pad(2)
        case .enqueue(let port, let queueID):
            field.write(port.rawValue)
            field.pad(6)
            field.write(queueID)
        case .vendor:
            break  // refused by the precondition above
        }
    }

    /// Whether this is a vendor action, whose length depends on its body.
    @inlinable
    public var isVendor: Bool {
        if case .vendor = self { return true }
        return false
    }
}

extension Action {
    /// Parses a list of actions filling exactly `reader`'s remaining bytes.
    public static func parseList(_ reader: inout WireReader) throws(WireError) -> [Action] {
        try reader.readVariableEntries(Action.self)
    }

    /// Reads a list as `parseList` does, with the same errors, keeping nothing.
    ///
    /// Relayed FLOW_MODs and PACKET_OUTs are checked here, one per return: the standard actions
    /// (OUTPUT to ENQUEUE) are walked through one view of the bytes, since their fixed sizes,
    /// which the header rules hold them to, leave no field that can be missing or wrong. A
    /// VENDOR or unknown action is parsed, for parsing's errors, and the walk goes on after it.
    static func checkList(_ reader: inout WireReader) throws(WireError) {
        while !reader.isAtEnd {
            let (walked, failure) = reader.withReadableBytes { bytes, base in walkStandardActions(bytes, base: base) }
            if let failure { throw failure }
            try reader.skip(walked, field: "ofp_action")
            guard !reader.isAtEnd else { return }
            let (type, start, body) = try readHeader(&reader)
            var fields = body
            _ = try parseBody(type, at: start, &fields)
        }
    }

    /// How many bytes of standard actions `bytes` (at message offset `base`) starts with, up
    /// to the first other action or the end; or the error the first bad header makes.
    private static func walkStandardActions(_ bytes: UnsafeRawBufferPointer, base: Int) -> (Int, WireError?) {
        var at = 0
        while at < bytes.count {
            let left = bytes.count - at
            guard left >= Action.headerSize else {
                return (at, headerLayout.truncation(available: left, at: base + at))
            }
            let type = ActionType(rawValue: UInt16(bigEndian: bytes.loadUnaligned(fromByteOffset: at, as: UInt16.self)))
            guard type.rawValue <= ActionType.enqueue.rawValue else { return (at, nil) }
            let length = Int(UInt16(bigEndian: bytes.loadUnaligned(fromByteOffset: at + 2, as: UInt16.self)))
            do throws(WireError) {
                try checkHeader(type, length: length, remaining: left - Action.headerSize, at: base + at)
            } catch {
                return (at, error)
            }
            at += length
        }
        return (at, nil)
    }

    public static func writeList(_ actions: [Action], to buffer: inout ByteBuffer) {
        buffer.writeEntries(actions)
    }

    public static func listLength(_ actions: [Action]) -> Int {
        actions.reduce(0) { $0 + $1.length }
    }

    /// The list's length when every action in it has a fixed size, so that it can be written
    /// through one view of a buffer (`Action.write(to:)` on a `FixedFieldWriter`); nil with a
    /// vendor action.
    public static func fixedListLength(_ actions: [Action]) -> Int? {
        actions.contains(where: \.isVendor) ? nil : listLength(actions)
    }
}
