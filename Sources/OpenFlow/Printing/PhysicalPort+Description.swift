extension PhysicalPort: CustomStringConvertible {
    /// Several lines, like `ovs-ofctl show`: number, name and address, then any set flags.
    public var description: String {
        var lines = [" \(portNumber)(\(name)): addr:\(hardwareAddress)"]
        func add(_ label: String, _ value: String) {
            if !value.isEmpty { lines.append("     \(label): \(value)") }
        }
        add("config", flagNames(config, PortConfig.names))
        add("state", stateDescription)
        add("current", flagNames(current, PortFeatures.names))
        add("advertised", flagNames(advertised, PortFeatures.names))
        add("supported", flagNames(supported, PortFeatures.names))
        add("peer", flagNames(peer, PortFeatures.names))
        return lines.joined(separator: "\n")
    }

    private var stateDescription: String {
        var words = state.contains(.linkDown) ? ["LINK_DOWN"] : []
        // STP_LISTEN is the zero value, indistinguishable from "no STP": left out, as Open vSwitch does.
        if state.stp != .listen {
            words.append(["STP_LISTEN", "STP_LEARN", "STP_FORWARD", "STP_BLOCK"][Int(state.stp.rawValue)])
        }
        let unnamed = state.rawValue & ~(PortState.linkDown.rawValue | PortState.stpMask)
        if unnamed != 0 { words.append(hex(unnamed)) }
        return words.joined(separator: " ")
    }
}
