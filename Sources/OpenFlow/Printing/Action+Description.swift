extension Action: CustomStringConvertible {
    /// The action in `ovs-ofctl` syntax.
    public var description: String {
        switch self {
        case .output(let port, let maxLength):
            return port == .controller
                ? "CONTROLLER:\(maxLength)" : port.isPhysical ? "output:\(port)" : port.description
        case .setVlanVid(let vid): return "mod_vlan_vid:\(vid)"
        case .setVlanPcp(let pcp): return "mod_vlan_pcp:\(pcp)"
        case .stripVlan: return "strip_vlan"
        case .setDlSrc(let address): return "mod_dl_src:\(address)"
        case .setDlDst(let address): return "mod_dl_dst:\(address)"
        case .setNwSrc(let address): return "mod_nw_src:\(address)"
        case .setNwDst(let address): return "mod_nw_dst:\(address)"
        case .setNwTos(let tos): return "mod_nw_tos:\(tos)"
        case .setTpSrc(let port): return "mod_tp_src:\(port)"
        case .setTpDst(let port): return "mod_tp_dst:\(port)"
        case .enqueue(let port, let queueID): return "enqueue:\(port):\(queueID)"
        case .vendor(let vendor, let body): return "vendor(\(hex(vendor, digits: 8)),\(body.readableBytes) bytes)"
        }
    }
}

extension Array where Element == Action {
    /// Comma-separated actions; `drop` for none, as `ovs-ofctl` prints an empty list.
    public var actionsDescription: String {
        isEmpty ? "drop" : map(\.description).joined(separator: ",")
    }
}
