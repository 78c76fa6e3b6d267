extension Match: CustomStringConvertible {
    /// The fields that are not wildcarded, in `ovs-ofctl` syntax (`in_port=1,dl_type=0x0800,...`),
    /// or `any` when everything is wildcarded.
    public var description: String {
        var parts: [String] = []
        func add(_ flag: Wildcards, _ text: @autoclosure () -> String) {
            if !wildcards.contains(flag) { parts.append(text()) }
        }
        add(.inPort, "in_port=\(inPort)")
        add(.dlVlan, "dl_vlan=\(dlVlan == Match.vlanNone ? "none" : String(dlVlan))")
        add(.dlVlanPcp, "dl_vlan_pcp=\(dlVlanPcp)")
        add(.dlSrc, "dl_src=\(dlSrc)")
        add(.dlDst, "dl_dst=\(dlDst)")
        add(.dlType, "dl_type=\(hex(dlType, digits: 4))")
        add(.nwTos, "nw_tos=\(nwTos)")
        add(.nwProto, "nw_proto=\(nwProto)")
        if wildcards.nwSrcPrefixLength > 0 {
            parts.append(
                "nw_src=\(nwSrc)" + (wildcards.nwSrcPrefixLength < 32 ? "/\(wildcards.nwSrcPrefixLength)" : ""))
        }
        if wildcards.nwDstPrefixLength > 0 {
            parts.append(
                "nw_dst=\(nwDst)" + (wildcards.nwDstPrefixLength < 32 ? "/\(wildcards.nwDstPrefixLength)" : ""))
        }
        add(.tpSrc, "tp_src=\(tpSrc)")
        add(.tpDst, "tp_dst=\(tpDst)")
        return parts.isEmpty ? "any" : parts.joined(separator: ",")
    }
}
