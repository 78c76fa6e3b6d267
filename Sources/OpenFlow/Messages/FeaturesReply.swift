import NIOCore

/// OFPT_FEATURES_REPLY (`ofp_switch_features`): the switch's identity, capabilities and ports.
public struct FeaturesReply: Encodable, OpenFlowMessageBody {
    public static let messageType = MessageType.featuresReply
    public static let minimumLength = 32

    public var datapathID: DatapathID
    public var bufferCount: UInt32
    public var tableCount: UInt8
    public var capabilities: Capabilities
    public var supportedActions: SupportedActions
    public var ports: [PhysicalPort]

    public init(
        datapathID: DatapathID, bufferCount: UInt32 = 256, tableCount: UInt8 = 1,
        capabilities: Capabilities = [], supportedActions: SupportedActions = [], ports: [PhysicalPort] = []
    ) {
        self.datapathID = datapathID
        self.bufferCount = bufferCount
        self.tableCount = tableCount
        self.capabilities = capabilities
        self.supportedActions = supportedActions
        self.ports = ports
    }

    public init(parsing reader: inout WireReader) throws(WireError) {
        datapathID = DatapathID(try reader.readInteger(field: "ofp_switch_features.datapath_id"))
        bufferCount = try reader.readInteger(field: "ofp_switch_features.n_buffers")
        tableCount = try reader.readInteger(field: "ofp_switch_features.n_tables")
        try reader.skip(3, field: "ofp_switch_features.pad")
        capabilities = Capabilities(rawValue: try reader.readInteger(field: "ofp_switch_features.capabilities"))
        supportedActions = SupportedActions(rawValue: try reader.readInteger(field: "ofp_switch_features.actions"))
        ports = try reader.readEntries(PhysicalPort.self, field: "ofp_switch_features.ports")
    }

    public func write(to buffer: inout ByteBuffer) {
        buffer.writeInteger(datapathID.rawValue)
        buffer.writeInteger(bufferCount)
        buffer.writeInteger(tableCount)
        buffer.writePadding(3)
        buffer.writeInteger(capabilities.rawValue)
        buffer.writeInteger(supportedActions.rawValue)
        buffer.writeEntries(ports)
    }

    /// `ofp_capabilities`.
    public struct Capabilities: OptionSet, Hashable, Sendable {
        public let rawValue: UInt32
        public init(rawValue: UInt32) { self.rawValue = rawValue }

        public static let flowStats = Capabilities(rawValue: 1 << 0)
        public static let tableStats = Capabilities(rawValue: 1 << 1)
        public static let portStats = Capabilities(rawValue: 1 << 2)
        public static let stp = Capabilities(rawValue: 1 << 3)
        public static let reserved = Capabilities(rawValue: 1 << 4)
        public static let ipReassembly = Capabilities(rawValue: 1 << 5)
        public static let queueStats = Capabilities(rawValue: 1 << 6)
        public static let arpMatchIP = Capabilities(rawValue: 1 << 7)

        static let names: [(Capabilities, String)] = [
            (.flowStats, "FLOW_STATS"), (.tableStats, "TABLE_STATS"), (.portStats, "PORT_STATS"), (.stp, "STP"),
            (.reserved, "RESERVED"), (.ipReassembly, "IP_REASM"), (.queueStats, "QUEUE_STATS"),
            (.arpMatchIP, "ARP_MATCH_IP"),
        ]
    }

    /// The action types the switch supports, one bit per `ofp_action_type`.
    public struct SupportedActions: OptionSet, Hashable, Sendable {
        public let rawValue: UInt32
        public init(rawValue: UInt32) { self.rawValue = rawValue }

        public init(_ types: [ActionType]) {
            self.rawValue = types.reduce(0) { $1.rawValue < 32 ? $0 | 1 << UInt32($1.rawValue) : $0 }
        }

        public func contains(_ type: ActionType) -> Bool {
            type.rawValue < 32 && rawValue & 1 << UInt32(type.rawValue) != 0
        }

        static let typeNames = [
            "output", "set_vlan_vid", "set_vlan_pcp", "strip_vlan", "mod_dl_src", "mod_dl_dst",
            "mod_nw_src", "mod_nw_dst", "mod_nw_tos", "mod_tp_src", "mod_tp_dst", "enqueue",
        ]

        /// The supported actions by name, with any bits beyond OpenFlow 1.0's in hex.
        public var names: String {
            var words = Self.typeNames.indices.filter { rawValue & 1 << UInt32($0) != 0 }.map { Self.typeNames[$0] }
            let unnamed = rawValue & ~(1 << UInt32(Self.typeNames.count) - 1)
            if unnamed != 0 { words.append("0x" + String(unnamed, radix: 16)) }
            return words.joined(separator: " ")
        }
    }
}
