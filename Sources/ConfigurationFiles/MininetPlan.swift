import OpenFlow

/// What `topologize mininet` builds on Mininet from a description: every domain's switches,
/// each attached to its own tier-1 unit, the cables between them, and one host on each switch.
/// Written as JSON for the Python side (Scripts/mininet-plane), which only carries it out.
public struct MininetPlan: Codable, Hashable, Sendable {
    public struct Switch: Codable, Hashable, Sendable {
        public var name: String
        /// Sixteen hex digits, as Mininet and Open vSwitch take it.
        public var dpid: String
        public var domain: String
        public var unit: String
        /// The unit's switch address, `host:port`.
        public var controller: String
    }

    public struct Host: Codable, Hashable, Sendable {
        public var name: String
        public var `switch`: String
        /// `10.x.y.z/8`, from the switch's DPID.
        public var ip: String
        public var mac: String
    }

    public var name: String
    public var switches: [Switch]
    public var links: [[String]]
    public var hosts: [Host]
}

extension ControlPlaneDescription {
    /// The plan of this description's switches. Switch `s<DPID>` gets host `h<DPID>`, with
    /// address 10.0.0.<DPID> (for DPIDs up to 254) and MAC 00:00:00:00:00:<DPID>.
    public var mininetPlan: MininetPlan {
        var switches: [MininetPlan.Switch] = []
        var hosts: [MininetPlan.Host] = []
        for domain in domains {
            guard let unit = unit(named: domain.unit) else { continue }
            for dpid in domain.switches {
                let name = "s\(dpid)"
                switches.append(
                    MininetPlan.Switch(
                        name: name, dpid: DatapathID(rawValue: dpid).description, domain: domain.name, unit: unit.name,
                        controller: unit.switches.dialable.description))
                let low = dpid & 0xff_ffff
                hosts.append(
                    MininetPlan.Host(
                        name: "h\(dpid)", switch: name, ip: "10.\(low >> 16).\((low >> 8) & 0xff).\(low & 0xff)/8",
                        mac: MACAddress(rawValue: dpid & 0xffff_ffff_ffff).description))
            }
        }
        let cables: [(UInt64, UInt64)] =
            links.isEmpty
            ? domains.flatMap { domain in zip(domain.switches, domain.switches.dropFirst()).map { ($0, $1) } }
            : links.map { ($0.a, $0.b) }
        return MininetPlan(
            name: name, switches: switches, links: cables.map { ["s\($0.0)", "s\($0.1)"] }, hosts: hosts)
    }
}
