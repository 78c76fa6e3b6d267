import OpenFlow
import Packets

/// Matches that name a host, as services delete or drop its frames.
extension Match {
    /// Whether the frame this match was extracted from is an ARP request (OpenFlow 1.0 puts
    /// the ARP opcode in `nw_proto`).
    public var isARPRequest: Bool { dlType == EtherType.arp.rawValue && nwProto == 1 }

    /// Every frame from `mac` (`dl_src`).
    public static func from(_ mac: MACAddress) -> Match {
        var match = Match(wildcards: Match.Wildcards.all.subtracting(.dlSrc))
        match.dlSrc = mac
        return match
    }

    /// Every frame from `mac` that enters by `location`'s port (on its switch).
    public static func from(_ mac: MACAddress, at location: HostLocation) -> Match {
        var match = Match(wildcards: Match.Wildcards.all.subtracting([.inPort, .dlSrc]))
        match.inPort = location.port
        match.dlSrc = mac
        return match
    }

    /// Every frame to `mac` (`dl_dst`).
    public static func to(_ mac: MACAddress) -> Match {
        var match = Match(wildcards: Match.Wildcards.all.subtracting(.dlDst))
        match.dlDst = mac
        return match
    }
}
