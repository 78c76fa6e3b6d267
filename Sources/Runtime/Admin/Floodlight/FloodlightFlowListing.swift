import ControlPlane
import OpenFlow

/// `/wm/staticflowpusher/list/{dpid|all}/json` in Floodlight 1.x's shape (`{dpid: [{name:
/// flow}]}`, every number a string) and `/wm/staticflowentrypusher/list/...` in 0.9's
/// (`{dpid: {name: flow-mod}}`), so a script reads the answer of the version it was written for.
enum FloodlightFlowListing {
    static func current(_ flows: [StaticFlow]) -> [String: [[String: CurrentFlow]]] {
        Dictionary(grouping: flows, by: { FloodlightViews.dpid($0.datapathID) }).mapValues { flows in
            flows.map { [$0.name: CurrentFlow($0)] }
        }
    }

    static func legacy(_ flows: [StaticFlow]) -> [String: [String: LegacyFlowMod]] {
        Dictionary(grouping: flows, by: { FloodlightViews.dpid($0.datapathID) }).mapValues { flows in
            Dictionary(uniqueKeysWithValues: flows.map { ($0.name, LegacyFlowMod($0)) })
        }
    }

    /// Floodlight 1.x's flow-mod serializer, for OpenFlow 1.0.
    struct CurrentFlow: Encodable {
        var version = "OF_10"
        var command = "ADD"
        var cookie: String
        var priority: String
        var idleTimeoutSec: String
        var hardTimeoutSec: String
        var outPort = "any"
        var flags: String
        var active: String
        var match: [String: String]
        var actions: [String: String]

        init(_ flow: StaticFlow) {
            let installation = flow.installation
            cookie = String(flow.cookie)
            priority = String(flow.priority)
            idleTimeoutSec = String(flow.idleTimeout)
            hardTimeoutSec = String(flow.hardTimeout)
            flags = String(installation.flags.rawValue)
            active = String(flow.active)
            match = Self.fields(of: flow.match)
            actions = flow.actions.isEmpty ? ["none": "drop"] : ["actions": FloodlightActionList.text(of: flow.actions)]
        }

        static func fields(of match: Match) -> [String: String] {
            var fields: [String: String] = [:]
            let kept = match.wildcards
            if !kept.contains(.inPort) { fields["in_port"] = String(match.inPort.rawValue) }
            if !kept.contains(.dlSrc) { fields["eth_src"] = match.dlSrc.description }
            if !kept.contains(.dlDst) { fields["eth_dst"] = match.dlDst.description }
            if !kept.contains(.dlVlan) { fields["eth_vlan_vid"] = String(match.dlVlan) }
            if !kept.contains(.dlVlanPcp) { fields["eth_vlan_pcp"] = String(match.dlVlanPcp) }
            if !kept.contains(.dlType) { fields["eth_type"] = "0x" + String(match.dlType, radix: 16) }
            if !kept.contains(.nwTos) { fields["ip_dscp"] = String(match.nwTos >> 2) }
            if !kept.contains(.nwProto) { fields["ip_proto"] = String(match.nwProto) }
            for (key, address, length) in [
                ("ipv4_src", match.nwSrc, kept.nwSrcPrefixLength), ("ipv4_dst", match.nwDst, kept.nwDstPrefixLength),
            ] where length > 0 {
                fields[key] = length == 32 ? address.description : "\(address)/\(length)"
            }
            let transport = kept.contains(.nwProto) ? "tp" : [6: "tcp", 17: "udp", 132: "sctp"][match.nwProto] ?? "tp"
            if !kept.contains(.tpSrc) { fields[transport + "_src"] = String(match.tpSrc) }
            if !kept.contains(.tpDst) { fields[transport + "_dst"] = String(match.tpDst) }
            return fields
        }
    }

    /// Floodlight 0.9's OFFlowMod bean: numbers as Java's signed shorts, as it printed them.
    struct LegacyFlowMod: Encodable {
        var version = 1
        var type = "FLOW_MOD"
        var xid = 0
        var match: LegacyMatch
        var cookie: Int64
        var command = 0
        var idleTimeout: Int16
        var hardTimeout: Int16
        var priority: Int16
        var bufferId = -1
        var outPort = -1
        var flags: Int16
        var actions: [LegacyAction]

        init(_ flow: StaticFlow) {
            match = LegacyMatch(flow.match)
            cookie = Int64(bitPattern: flow.cookie)
            idleTimeout = Int16(bitPattern: flow.idleTimeout)
            hardTimeout = Int16(bitPattern: flow.hardTimeout)
            priority = Int16(bitPattern: flow.priority)
            flags = Int16(bitPattern: flow.installation.flags.rawValue)
            actions = flow.actions.map(LegacyAction.init)
        }
    }

    struct LegacyMatch: Encodable {
        var dataLayerDestination: String
        var dataLayerSource: String
        var dataLayerType: String
        var dataLayerVirtualLan: Int16
        var dataLayerVirtualLanPriorityCodePoint: UInt8
        var inputPort: Int16
        var networkDestination: String
        var networkDestinationMaskLen: Int
        var networkProtocol: UInt8
        var networkSource: String
        var networkSourceMaskLen: Int
        var networkTypeOfService: UInt8
        var transportDestination: Int16
        var transportSource: Int16
        var wildcards: UInt32

        init(_ match: Match) {
            dataLayerDestination = match.dlDst.description
            dataLayerSource = match.dlSrc.description
            dataLayerType =
                "0x" + String(repeating: "0", count: max(0, 4 - String(match.dlType, radix: 16).count))
                + String(match.dlType, radix: 16)
            dataLayerVirtualLan = Int16(bitPattern: match.dlVlan)
            dataLayerVirtualLanPriorityCodePoint = match.dlVlanPcp
            inputPort = Int16(bitPattern: match.inPort.rawValue)
            networkDestination = match.nwDst.description
            networkDestinationMaskLen = match.wildcards.nwDstPrefixLength
            networkProtocol = match.nwProto
            networkSource = match.nwSrc.description
            networkSourceMaskLen = match.wildcards.nwSrcPrefixLength
            networkTypeOfService = match.nwTos
            transportDestination = Int16(bitPattern: match.tpDst)
            transportSource = Int16(bitPattern: match.tpSrc)
            wildcards = match.wildcards.rawValue
        }
    }

    struct LegacyAction: Encodable {
        var type: String
        var port: Int16?
        var maxLength: Int16?
        var text: String

        /// OpenFlowJ's names of the OpenFlow 1.0 action types, by number.
        static let names = [
            "OUTPUT", "SET_VLAN_ID", "SET_VLAN_PCP", "STRIP_VLAN", "SET_DL_SRC", "SET_DL_DST", "SET_NW_SRC",
            "SET_NW_DST", "SET_NW_TOS", "SET_TP_SRC", "SET_TP_DST", "OPAQUE_ENQUEUE",
        ].enumerated().reduce(into: [UInt16: String]()) { $0[UInt16($1.offset)] = $1.element }

        init(_ action: Action) {
            type = Self.names[action.type.rawValue] ?? "VENDOR"
            if case .output(let port, let maxLength) = action {
                self.port = Int16(bitPattern: port.rawValue)
                self.maxLength = Int16(bitPattern: maxLength)
            }
            text = FloodlightActionList.text(of: [action])
        }
    }
}
