import Foundation
import OpenFlow

/// The `actions` string of a static flow: `output=2,set_vlan_vid=5`, in Floodlight 1.x's names
/// or the older ones (`set-vlan-id`, `set-src-mac`, ...). Empty: the flow drops.
enum FloodlightActionList {
    static func actions(from text: String) throws(FloodlightRequestError) -> [Action] {
        var actions: [Action] = []
        for item in text.split(separator: ",") {
            let item = item.trimmingCharacters(in: .whitespaces)
            if item.isEmpty { continue }
            let parts = item.split(separator: "=", maxSplits: 1).map { String($0).trimmingCharacters(in: .whitespaces) }
            let name = parts[0].lowercased()
            let value = parts.count == 2 ? parts[1] : ""
            actions.append(try action(name, value, item: item))
        }
        return actions
    }

    private static func action(_ name: String, _ value: String, item: String) throws(FloodlightRequestError) -> Action {
        func field<Value: FixedWidthInteger & UnsignedInteger>(
            _ type: Value.Type
        ) throws(FloodlightRequestError)
            -> Value
        {
            try FloodlightFlowRequest.number(("actions", value), as: type)
        }
        func mac() throws(FloodlightRequestError) -> MACAddress {
            guard let address = MACAddress(value) else { throw .invalid(field: "actions", value: item) }
            return address
        }
        func ipv4() throws(FloodlightRequestError) -> IPv4Address {
            guard let address = IPv4Address(value) else { throw .invalid(field: "actions", value: item) }
            return address
        }
        switch name {
        case "output": return .output(port: try port(value, item: item), maxLength: UInt16.max)
        case "enqueue":
            let parts = value.split(separator: ":")
            guard parts.count == 2, let queue = UInt32(parts[1]) else { throw .invalid(field: "actions", value: item) }
            return .enqueue(port: try port(String(parts[0]), item: item), queueID: queue)
        case "set_vlan_vid", "set-vlan-id": return .setVlanVid(try field(UInt16.self) & 0x0fff)
        case "set_vlan_pcp", "set-vlan-priority": return .setVlanPcp(try field(UInt8.self))
        case "strip_vlan", "strip-vlan", "pop_vlan": return .stripVlan
        case "set_eth_src", "set-src-mac": return .setDlSrc(try mac())
        case "set_eth_dst", "set-dst-mac": return .setDlDst(try mac())
        case "set_ipv4_src", "set-src-ip": return .setNwSrc(try ipv4())
        case "set_ipv4_dst", "set-dst-ip": return .setNwDst(try ipv4())
        case "set_ip_tos", "set-tos-bits": return .setNwTos(try field(UInt8.self) & 0xfc)
        case "set_ip_dscp": return .setNwTos(try field(UInt8.self) << 2)
        case "set_tp_src", "set-src-port", "set_tcp_src", "set_udp_src": return .setTpSrc(try field(UInt16.self))
        case "set_tp_dst", "set-dst-port", "set_tcp_dst", "set_udp_dst": return .setTpDst(try field(UInt16.self))
        case "drop": throw .invalid(field: "actions", value: "\(item) (leave actions empty to drop)")
        default: throw .unknownAction(item)
        }
    }

    /// The list as Floodlight 1.x writes it back; `actions(from:)` reads it.
    static func text(of actions: [Action]) -> String {
        actions.map { action in
            switch action {
            case .output(let port, _): "output=\(portName(port))"
            case .enqueue(let port, let queue): "enqueue=\(portName(port)):\(queue)"
            case .setVlanVid(let vid): "set_vlan_vid=\(vid)"
            case .setVlanPcp(let pcp): "set_vlan_pcp=\(pcp)"
            case .stripVlan: "strip_vlan"
            case .setDlSrc(let mac): "set_eth_src=\(mac)"
            case .setDlDst(let mac): "set_eth_dst=\(mac)"
            case .setNwSrc(let address): "set_ipv4_src=\(address)"
            case .setNwDst(let address): "set_ipv4_dst=\(address)"
            case .setNwTos(let tos): "set_ip_tos=\(tos)"
            case .setTpSrc(let port): "set_tp_src=\(port)"
            case .setTpDst(let port): "set_tp_dst=\(port)"
            case .vendor(let vendor, _): "vendor=0x\(String(vendor, radix: 16))"
            }
        }.joined(separator: ",")
    }

    private static let reservedPorts: [(String, PortNumber)] = [
        ("flood", .flood), ("all", .all), ("controller", .controller), ("local", .local), ("ingress-port", .inPort),
        ("normal", .normal), ("table", .table),
    ]

    private static func portName(_ port: PortNumber) -> String {
        reservedPorts.first { $0.1 == port }?.0 ?? String(port.rawValue)
    }

    /// A port number or one of OpenFlow's reserved ports by name.
    private static func port(_ text: String, item: String) throws(FloodlightRequestError) -> PortNumber {
        let name = text.lowercased()
        if let reserved = reservedPorts.first(where: { $0.0 == name }) { return reserved.1 }
        switch name {
        case "flooding": return .flood
        case "in_port", "ingress_port": return .inPort
        default:
            let number = try FloodlightFlowRequest.number(("actions", text), as: UInt16.self)
            guard PortNumber(number).isPhysical else { throw .invalid(field: "actions", value: item) }
            return PortNumber(number)
        }
    }
}

/// Why a static flow request was refused (HTTP 400, with this text).
enum FloodlightRequestError: Error, CustomStringConvertible {
    case unknownField(String)
    case duplicateField(String, String)
    case missingField(String)
    case invalid(field: String, value: String)
    case conflict(String, String)
    case unknownAction(String)
    case notAnObject

    var description: String {
        switch self {
        case .unknownField(let name): "unknown field \"\(name)\""
        case .duplicateField(let first, let second): "\"\(first)\" and \"\(second)\" name the same field"
        case .missingField(let name): "missing field \"\(name)\""
        case .invalid(let field, let value): "invalid \(field): \(value)"
        case .conflict(let field, let why): "\(field): \(why)"
        case .unknownAction(let item): "unknown action \"\(item)\""
        case .notAnObject: "the body is not a JSON object"
        }
    }
}
