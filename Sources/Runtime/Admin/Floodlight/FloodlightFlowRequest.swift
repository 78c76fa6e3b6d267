import ConfigurationFiles
import ControlPlane
import Foundation
import OpenFlow

/// A flow as Floodlight's static flow pusher takes it in a POST: a JSON object of strings
/// (numbers and booleans are taken too), with the field names of Floodlight 1.x (`in_port`,
/// `eth_type`, `ipv4_src`, ...) or of the older `staticflowentrypusher` (`ingress-port`,
/// `ether-type`, `src-ip`, ...), so that scripts written for either work unchanged.
///
/// A field the switch would ignore without its prerequisite gets that prerequisite where it is
/// not in doubt (`ipv4_src` alone matches IPv4, `tcp_dst` alone TCP), as Open vSwitch would
/// otherwise drop the field silently and the flow would match far more than was asked.
enum FloodlightFlowRequest {
    /// The canonical field each accepted name stands for.
    static let fieldNames: [String: Field] = {
        var names: [String: Field] = [:]
        for field in Field.allCases {
            for name in field.names { names[name] = field }
        }
        return names
    }()

    enum Field: CaseIterable {
        case switchID, name, cookie, priority, active, idleTimeout, hardTimeout, table, actions
        case inPort, ethSrc, ethDst, ethType, vlanID, vlanPriority, ipTOS, ipDSCP, ipProto, ipv4Src, ipv4Dst
        case tcpSrc, tcpDst, udpSrc, udpDst, sctpSrc, sctpDst, transportSrc, transportDst

        var names: [String] {
            switch self {
            case .switchID: ["switch", "switch_id"]
            case .name: ["name"]
            case .cookie: ["cookie"]
            case .priority: ["priority"]
            case .active: ["active"]
            case .idleTimeout: ["idle_timeout", "idle-timeout"]
            case .hardTimeout: ["hard_timeout", "hard-timeout"]
            case .table: ["table"]
            case .actions: ["actions", "instruction_apply_actions"]
            case .inPort: ["in_port", "ingress-port"]
            case .ethSrc: ["eth_src", "src-mac"]
            case .ethDst: ["eth_dst", "dst-mac"]
            case .ethType: ["eth_type", "ether-type", "dl_type"]
            case .vlanID: ["eth_vlan_vid", "vlan-id"]
            case .vlanPriority: ["eth_vlan_pcp", "vlan-priority"]
            case .ipTOS: ["ip_tos", "tos-bits", "nw_tos"]
            case .ipDSCP: ["ip_dscp"]
            case .ipProto: ["ip_proto", "protocol", "nw_proto"]
            case .ipv4Src: ["ipv4_src", "src-ip", "nw_src"]
            case .ipv4Dst: ["ipv4_dst", "dst-ip", "nw_dst"]
            case .tcpSrc: ["tcp_src"]
            case .tcpDst: ["tcp_dst"]
            case .udpSrc: ["udp_src"]
            case .udpDst: ["udp_dst"]
            case .sctpSrc: ["sctp_src"]
            case .sctpDst: ["sctp_dst"]
            case .transportSrc: ["src-port", "tp_src"]
            case .transportDst: ["dst-port", "tp_dst"]
            }
        }
    }

    /// The flow a POST body describes.
    static func flow(from body: [String: JSONValue]) throws(FloodlightRequestError) -> StaticFlow {
        var fields: [Field: (name: String, text: String)] = [:]
        for (name, value) in body {
            guard let field = fieldNames[name] else { throw .unknownField(name) }
            if let other = fields[field] { throw .duplicateField(other.name, name) }
            guard let text = value.floodlightText else { throw .invalid(field: name, value: "\(value)") }
            fields[field] = (name, text)
        }
        func text(_ field: Field) -> (name: String, text: String)? { fields[field] }
        guard let switchField = text(.switchID) else { throw .missingField("switch") }
        guard let name = text(.name)?.text, !name.isEmpty else { throw .missingField("name") }
        guard let datapathID = DatapathID(switchField.text) else {
            throw .invalid(field: switchField.name, value: switchField.text)
        }
        if let table = text(.table), try number(table, as: UInt8.self) != 0 {
            throw .invalid(field: table.name, value: "\(table.text) (an OpenFlow 1.0 switch has one table, 0)")
        }
        let match = try self.match(fields)
        func integer<Value: FixedWidthInteger & UnsignedInteger>(
            _ field: Field, _ type: Value.Type, default value: Value
        )
            throws(FloodlightRequestError) -> Value
        {
            guard let given = text(field) else { return value }
            return try number(given, as: type)
        }
        var actions: [Action] = []
        if let given = text(.actions) { actions = try FloodlightActionList.actions(from: given.text) }
        var active = true
        if let given = text(.active) { active = try boolean(given) }
        return StaticFlow(
            name: name, datapathID: datapathID, match: match,
            priority: try integer(.priority, UInt16.self, default: FlowMod.defaultPriority),
            cookie: try integer(.cookie, UInt64.self, default: 0).nonZero ?? cookie(for: name),
            idleTimeout: try integer(.idleTimeout, UInt16.self, default: 0),
            hardTimeout: try integer(.hardTimeout, UInt16.self, default: 0), actions: actions, active: active)
    }

    /// Floodlight's cookie for a static flow: its application number (10) in the top bits and
    /// a hash of the name below, so a flow on the switch tells whose it is. A script's own
    /// non-zero cookie is kept.
    static func cookie(for name: String) -> UInt64 {
        var hash: UInt32 = 0x811c_9dc5
        for byte in name.utf8 { hash = (hash ^ UInt32(byte)) &* 0x0100_0193 }
        return 10 << 52 | UInt64(hash)
    }

    private static func match(_ fields: [Field: (name: String, text: String)]) throws(FloodlightRequestError) -> Match {
        var match = Match(wildcards: .all)
        func exact(_ wildcard: Match.Wildcards) { match.wildcards.remove(wildcard) }
        if let field = fields[.inPort] {
            match.inPort = PortNumber(try number(field, as: UInt16.self))
            exact(.inPort)
        }
        if let field = fields[.ethSrc] {
            match.dlSrc = try mac(field)
            exact(.dlSrc)
        }
        if let field = fields[.ethDst] {
            match.dlDst = try mac(field)
            exact(.dlDst)
        }
        if let field = fields[.vlanID] {
            match.dlVlan = try number(field, as: UInt16.self) & 0x0fff
            exact(.dlVlan)
        }
        if let field = fields[.vlanPriority] {
            match.dlVlanPcp = try number(field, as: UInt8.self)
            exact(.dlVlanPcp)
        }
        if let field = fields[.ethType] {
            match.dlType = try number(field, as: UInt16.self)
            exact(.dlType)
        }
        let ipFields: [Field] = [.ipTOS, .ipDSCP, .ipProto, .ipv4Src, .ipv4Dst]
        let transport: [(Field, UInt8?)] = [
            (.tcpSrc, 6), (.tcpDst, 6), (.udpSrc, 17), (.udpDst, 17), (.sctpSrc, 132), (.sctpDst, 132),
            (.transportSrc, nil), (.transportDst, nil),
        ]
        let usesIP = ipFields.contains { fields[$0] != nil } || transport.contains { fields[$0.0] != nil }
        if usesIP {
            try requirePrerequisite(&match, .dlType, value: 0x0800, for: fields, names: ipFields + transport.map(\.0))
        }
        if let field = fields[.ipTOS] {
            match.nwTos = try number(field, as: UInt8.self) & 0xfc
            exact(.nwTos)
        }
        if let field = fields[.ipDSCP] {
            let dscp = try number(field, as: UInt8.self)
            guard dscp < 64 else { throw .invalid(field: field.name, value: field.text) }
            match.nwTos = dscp << 2
            exact(.nwTos)
        }
        if let field = fields[.ipProto] {
            match.nwProto = try number(field, as: UInt8.self)
            exact(.nwProto)
        }
        if let field = fields[.ipv4Src] {
            let (address, length) = try prefix(field)
            match.nwSrc = address
            match.wildcards.nwSrcIgnoredBits = 32 - length
        }
        if let field = fields[.ipv4Dst] {
            let (address, length) = try prefix(field)
            match.nwDst = address
            match.wildcards.nwDstIgnoredBits = 32 - length
        }
        for (fieldKind, proto) in transport {
            guard let field = fields[fieldKind] else { continue }
            if let proto {
                if match.wildcards.contains(.nwProto) {
                    match.nwProto = proto
                    exact(.nwProto)
                } else if match.nwProto != proto {
                    throw .conflict(field.name, "ip_proto is \(match.nwProto), not \(proto)")
                }
            } else if match.wildcards.contains(.nwProto) {
                throw .conflict(field.name, "a transport port needs the protocol (ip_proto or protocol)")
            }
            let port = try number(field, as: UInt16.self)
            if [.tcpSrc, .udpSrc, .sctpSrc, .transportSrc].contains(fieldKind) {
                match.tpSrc = port
                exact(.tpSrc)
            } else {
                match.tpDst = port
                exact(.tpDst)
            }
        }
        return match
    }

    /// IP fields need `eth_type` 0x0800: given, it must be that; absent, it is implied.
    private static func requirePrerequisite(
        _ match: inout Match, _ wildcard: Match.Wildcards, value: UInt16,
        for fields: [Field: (name: String, text: String)], names: [Field]
    ) throws(FloodlightRequestError) {
        if match.wildcards.contains(wildcard) {
            match.dlType = value
            match.wildcards.remove(wildcard)
        } else if match.dlType != value {
            let name = names.compactMap { fields[$0]?.name }.first ?? "an IP field"
            throw .conflict(name, "it matches IPv4 frames, and eth_type is 0x\(String(match.dlType, radix: 16))")
        }
    }

    static func number<Value: FixedWidthInteger & UnsignedInteger>(
        _ field: (name: String, text: String), as: Value.Type
    ) throws(FloodlightRequestError) -> Value {
        let text = field.text.trimmingCharacters(in: .whitespaces)
        let value: Value? =
            text.hasPrefix("0x") || text.hasPrefix("0X") ? Value(text.dropFirst(2), radix: 16) : Value(text)
        guard let value else { throw .invalid(field: field.name, value: field.text) }
        return value
    }

    private static func boolean(_ field: (name: String, text: String)) throws(FloodlightRequestError) -> Bool {
        switch field.text.lowercased() {
        case "true", "yes", "1": return true
        case "false", "no", "0": return false
        default: throw .invalid(field: field.name, value: field.text)
        }
    }

    private static func mac(_ field: (name: String, text: String)) throws(FloodlightRequestError) -> MACAddress {
        guard let address = MACAddress(field.text) else { throw .invalid(field: field.name, value: field.text) }
        return address
    }

    /// `10.0.0.1` or `10.0.0.0/8` (Floodlight 1.x also writes the mask as an address).
    private static func prefix(
        _ field: (name: String, text: String)
    ) throws(FloodlightRequestError) -> (IPv4Address, Int) {
        let parts = field.text.split(separator: "/", omittingEmptySubsequences: false)
        guard (1...2).contains(parts.count), let address = IPv4Address(String(parts[0])) else {
            throw .invalid(field: field.name, value: field.text)
        }
        guard parts.count == 2 else { return (address, 32) }
        if let length = Int(parts[1]), (0...32).contains(length) { return (address, length) }
        if let mask = IPv4Address(String(parts[1])),
            mask.rawValue.nonzeroBitCount == mask.rawValue.leadingZeroBitCount(inverted: true)
        {
            return (address, mask.rawValue.nonzeroBitCount)
        }
        throw .invalid(field: field.name, value: field.text)
    }
}

extension UInt64 {
    fileprivate var nonZero: UInt64? { self == 0 ? nil : self }
}

extension FixedWidthInteger {
    /// Leading one bits when `inverted`, for checking that a mask is a contiguous prefix.
    fileprivate func leadingZeroBitCount(inverted: Bool) -> Int { (inverted ? ~self : self).leadingZeroBitCount }
}

extension JSONValue {
    /// Floodlight writes every value as a string; numbers and booleans are taken as their text.
    fileprivate var floodlightText: String? {
        switch self {
        case .string(let text): text
        case .integer(let value): String(value)
        case .bool(let value): String(value)
        default: nil
        }
    }
}
