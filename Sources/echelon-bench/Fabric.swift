/// The cables between emulated switches: which port of which switch each wired port leads to,
/// and which ports are left for hosts.
///
/// Each switch numbers its link ports from 1 and its host ports after them; a link port may be
/// left unwired (the ends of a line). The controller discovers the cables itself, by the LLDP
/// probes it sends out of every port (`FabricRelay` carries them), so the fabric is all the
/// generator needs to know about the topology.
struct Fabric: Sendable {
    /// One end of a cable: a switch's index in the fleet and its port.
    struct End: Hashable, Sendable {
        var switchIndex: Int
        var port: UInt16
    }

    /// Ports each switch reports in its FEATURES_REPLY, numbered from 1.
    let portCounts: [UInt16]
    /// Each switch's first host port; the ports below it are link ports.
    let firstHostPorts: [UInt16]
    /// For each switch, the far end of each link port (`[port - 1]`), nil where no cable is.
    private let wires: [[End?]]
    /// Cables, each joining two switches.
    let linkCount: Int

    var switchCount: Int { portCounts.count }

    /// The port a cable joins to `port` of the switch with this index, if one does.
    func farEnd(of switchIndex: Int, port: UInt16) -> End? {
        guard wires.indices.contains(switchIndex), port >= 1 else { return nil }
        let ports = wires[switchIndex]
        let slot = Int(port) - 1
        return slot < ports.count ? ports[slot] : nil
    }

    /// The host ports of a switch: `first` and the `count - 1` after it.
    func hostPorts(of switchIndex: Int) -> (first: UInt16, count: Int) {
        let first = firstHostPorts[switchIndex]
        return (first, Int(portCounts[switchIndex]) - Int(first) + 1)
    }

    /// A line of `links + 1` switches, each with port 1 towards the one before it, port 2
    /// towards the one after it and port 3 for hosts: a path between hosts at the two ends
    /// crosses every cable and every switch.
    static func line(links: Int) -> Fabric {
        let wires = (0...links).map { index -> [End?] in
            [
                index > 0 ? End(switchIndex: index - 1, port: 2) : nil,
                index < links ? End(switchIndex: index + 1, port: 1) : nil,
            ]
        }
        return Fabric(
            portCounts: Array(repeating: 3, count: links + 1), firstHostPorts: Array(repeating: 3, count: links + 1),
            wires: wires, linkCount: links)
    }

    /// `links` cables between distinct pairs of `switches` switches drawn at random (from
    /// `seed`, so that every run wires the same fabric; no switch to itself, no two cables
    /// between the same pair), then `hostPorts` host ports on each switch after its link ports.
    /// Nil when there are fewer pairs than links, or a switch would have more ports than
    /// OpenFlow numbers.
    static func random(switches: Int, links: Int, hostPorts: Int, seed: UInt64) -> Fabric? {
        guard switches > 1 || links == 0, links <= switches * (switches - 1) / 2, hostPorts > 0 else { return nil }
        var random = SplitMix64(seed: seed)
        var joined: Set<Int> = []
        var wires = [[End?]](repeating: [], count: switches)
        while joined.count < links {
            let a = Int.random(in: 0..<switches, using: &random)
            let b = Int.random(in: 0..<switches, using: &random)
            guard a != b, joined.insert(min(a, b) * switches + max(a, b)).inserted else { continue }
            let (portA, portB) = (wires[a].count + 1, wires[b].count + 1)
            guard portA + hostPorts <= Int(Self.maximumPort), portB + hostPorts <= Int(Self.maximumPort) else {
                return nil
            }
            wires[a].append(End(switchIndex: b, port: UInt16(portB)))
            wires[b].append(End(switchIndex: a, port: UInt16(portA)))
        }
        return Fabric(
            portCounts: wires.map { UInt16($0.count + hostPorts) }, firstHostPorts: wires.map { UInt16($0.count + 1) },
            wires: wires, linkCount: links)
    }

    /// The highest physical port number OpenFlow 1.0 allows (`OFPP_MAX`).
    static let maximumPort: UInt16 = 0xff00
}

/// A small seeded generator (SplitMix64): the standard library's is not seedable, and a
/// fabric must be the same in every run so that runs compare.
struct SplitMix64: RandomNumberGenerator {
    private var state: UInt64

    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9e37_79b9_7f4a_7c15
        var z = state
        z = (z ^ (z >> 30)) &* 0xbf58_476d_1ce4_e5b9
        z = (z ^ (z >> 27)) &* 0x94d0_49bb_1331_11eb
        return z ^ (z >> 31)
    }
}
