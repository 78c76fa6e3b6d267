import ControlPlane
import NIOCore
import OpenFlow
import Testing

@Suite struct TopologyGraphTests {
    static func port(_ dpid: UInt64, _ port: UInt16) -> HostLocation {
        HostLocation(datapathID: DatapathID(dpid), port: PortNumber(port))
    }

    static func link(_ a: (UInt64, UInt16), _ b: (UInt64, UInt16)) -> TopologyLink {
        TopologyLink(port(a.0, a.1), port(b.0, b.1))
    }

    /// Switches 1…n in a ring: port 2 of each to port 1 of the next, port 3 for a host.
    static func ring(_ count: UInt64) -> TopologyGraph {
        var graph = TopologyGraph()
        for dpid in 1...count { graph.addSwitch(DatapathID(dpid)) }
        for dpid in 1...count { _ = graph.addLink(link((dpid, 2), (dpid % count + 1, 1))) }
        return graph
    }

    @Test func aLinkIsOneValueWhicheverWayItIsSeen() {
        #expect(Self.link((2, 1), (1, 2)) == Self.link((1, 2), (2, 1)))
        var graph = Self.ring(3)
        #expect(graph.links.count == 3)
        #expect(graph.addLink(Self.link((2, 1), (1, 2))) == nil, "known already")
        #expect(graph.addLink(Self.link((1, 4), (9, 1))) == nil, "switch 9 is not in the graph")
        #expect(graph.isLinkPort(Self.port(1, 2)) && !graph.isLinkPort(Self.port(1, 3)))
        #expect(graph.farEnd(of: Self.port(3, 2)) == Self.port(1, 1))
    }

    /// A ring floods over all its links but one: a frame flooded anywhere reaches every switch
    /// once, and never comes round.
    @Test func aRingFloodsOverATreeThatLeavesOneLinkOut() {
        let graph = Self.ring(4)
        let tree = graph.tree
        #expect(tree.ports.count == 6, "three of the four links, both ends")
        let blocked = graph.links.filter { !tree.contains($0.a) }
        #expect(blocked.count == 1)
        for link in graph.links where link != blocked.first {
            #expect(tree.contains(link.a) && tree.contains(link.b))
        }
        // Host ports and ports with nothing on them always flood.
        let hostPort = graph.floods(through: Self.port(2, 3))
        let emptyPort = graph.floods(through: Self.port(4, 7))
        #expect(hostPort && emptyPort)
        #expect(Set(tree.roots.values) == [DatapathID(1)])
        // Flooding from any switch reaches all four, over tree links only.
        for start in UInt64(1)...4 {
            var reached: Set<DatapathID> = [DatapathID(start)]
            var frontier = [DatapathID(start)]
            while let dpid = frontier.popLast() {
                for port in UInt16(1)...2 {
                    let out = Self.port(dpid.rawValue, port)
                    guard graph.floods(through: out), let far = graph.farEnd(of: out) else { continue }
                    if reached.insert(far.datapathID).inserted { frontier.append(far.datapathID) }
                }
            }
            #expect(reached.count == 4, "from switch \(start)")
        }
    }

    @Test func theTreeFollowsTheLinks() {
        var graph = Self.ring(4)
        let before = graph.tree
        // Take a tree link away: the ring's blocked link must now carry traffic.
        let treeLink = graph.links.first { before.contains($0.a) }!
        graph.removeLink(treeLink)
        let after = graph.tree
        #expect(after != before)
        #expect(after.ports.count == 6, "the three links left, all on the tree")
        for link in graph.links { #expect(after.contains(link.a)) }
    }

    @Test func separatePartsEachHaveATree() {
        var graph = TopologyGraph()
        for dpid in UInt64(1)...5 { graph.addSwitch(DatapathID(dpid)) }
        _ = graph.addLink(Self.link((1, 1), (2, 1)))
        _ = graph.addLink(Self.link((4, 1), (5, 1)))
        let tree = graph.tree
        #expect(tree.roots[DatapathID(2)] == DatapathID(1))
        #expect(tree.roots[DatapathID(3)] == DatapathID(3))
        #expect(tree.roots[DatapathID(5)] == DatapathID(4))
        #expect(graph.path(from: Self.port(1, 9), to: Self.port(5, 9)) == nil, "no path between parts")
    }

    /// In a ring of six, host ports 3: the shorter way round, entering and leaving by the
    /// right ports, the same links both ways.
    @Test func theShortestPathGoesTheShortWayRound() throws {
        let graph = Self.ring(6)
        let path = try #require(graph.path(from: Self.port(2, 3), to: Self.port(6, 3)))
        #expect(
            path == [
                PathHop(datapathID: DatapathID(2), inPort: PortNumber(3), outPort: PortNumber(1)),
                PathHop(datapathID: DatapathID(1), inPort: PortNumber(2), outPort: PortNumber(1)),
                PathHop(datapathID: DatapathID(6), inPort: PortNumber(2), outPort: PortNumber(3)),
            ])
        let back = try #require(graph.path(from: Self.port(6, 3), to: Self.port(2, 3)))
        #expect(back.map(\.datapathID) == path.map(\.datapathID).reversed())
        #expect(zip(back, path.reversed()).allSatisfy { $0.inPort == $1.outPort && $0.outPort == $1.inPort })
        // On one switch: in by one port, out by the other.
        #expect(
            graph.path(from: Self.port(4, 3), to: Self.port(4, 5))
                == [PathHop(datapathID: DatapathID(4), inPort: PortNumber(3), outPort: PortNumber(5))])
    }

    /// Two equal paths (a square): always the same one, chosen by the lower DPID.
    @Test func equalPathsAreChosenTheSameWayEveryTime() throws {
        var graph = TopologyGraph()
        for dpid in UInt64(1)...4 { graph.addSwitch(DatapathID(dpid)) }
        _ = graph.addLink(Self.link((1, 1), (2, 1)))
        _ = graph.addLink(Self.link((1, 2), (3, 1)))
        _ = graph.addLink(Self.link((2, 2), (4, 1)))
        _ = graph.addLink(Self.link((3, 2), (4, 2)))
        let path = try #require(graph.path(from: Self.port(1, 9), to: Self.port(4, 9)))
        #expect(path.map(\.datapathID) == [DatapathID(1), DatapathID(2), DatapathID(4)])
        let back = try #require(graph.path(from: Self.port(4, 9), to: Self.port(1, 9)))
        #expect(back.map(\.datapathID) == [DatapathID(4), DatapathID(2), DatapathID(1)])
        // The link it used fails: the other way round.
        graph.removePort(Self.port(2, 2))
        let detour = try #require(graph.path(from: Self.port(1, 9), to: Self.port(4, 9)))
        #expect(detour.map(\.datapathID) == [DatapathID(1), DatapathID(3), DatapathID(4)])
    }

    @Test func aSwitchThatLeavesTakesItsLinks() {
        var graph = Self.ring(4)
        let removed = graph.removeSwitch(DatapathID(2))
        #expect(removed == [Self.link((1, 2), (2, 1)), Self.link((2, 2), (3, 1))])
        #expect(graph.links.count == 2)
        #expect(!graph.isLinkPort(Self.port(1, 2)) && !graph.isLinkPort(Self.port(3, 1)))
        #expect(graph.path(from: Self.port(1, 3), to: Self.port(3, 3))?.count == 3, "the long way now")
    }

    /// A probe arriving on a port that had another far end: the cable was moved.
    @Test func aPortWithANewFarEndReplacesItsLink() {
        var graph = Self.ring(3)
        let replaced = graph.addLink(Self.link((1, 2), (3, 5)))
        #expect(replaced == [Self.link((1, 2), (2, 1))])
        #expect(graph.farEnd(of: Self.port(1, 2)) == Self.port(3, 5))
        #expect(!graph.isLinkPort(Self.port(2, 1)))
    }

    /// A larger graph, checked against every pair: each path is connected port to port and no
    /// longer than any other walk the breadth-first distances allow.
    @Test func everyPathInAGridIsConnectedAndShortest() throws {
        // A 5 x 5 grid: switch r*5+c+1; port 1 east, 2 west, 3 south, 4 north, 9 host.
        var graph = TopologyGraph()
        let side: UInt64 = 5
        func id(_ r: UInt64, _ c: UInt64) -> UInt64 { r * side + c + 1 }
        for r in 0..<side { for c in 0..<side { graph.addSwitch(DatapathID(id(r, c))) } }
        for r in 0..<side {
            for c in 0..<side {
                if c + 1 < side { _ = graph.addLink(Self.link((id(r, c), 1), (id(r, c + 1), 2))) }
                if r + 1 < side { _ = graph.addLink(Self.link((id(r, c), 3), (id(r + 1, c), 4))) }
            }
        }
        for a in 1...side * side {
            for b in 1...side * side {
                let path = try #require(graph.path(from: Self.port(a, 9), to: Self.port(b, 9)))
                let (ra, ca, rb, cb) = ((a - 1) / side, (a - 1) % side, (b - 1) / side, (b - 1) % side)
                let manhattan = Int(max(ra, rb) - min(ra, rb) + max(ca, cb) - min(ca, cb))
                #expect(path.count == manhattan + 1)
                #expect(path.first?.inPort == PortNumber(9) && path.last?.outPort == PortNumber(9))
                for (hop, next) in zip(path, path.dropFirst()) {
                    let far = graph.farEnd(of: HostLocation(datapathID: hop.datapathID, port: hop.outPort))
                    #expect(far == HostLocation(datapathID: next.datapathID, port: next.inPort))
                }
            }
        }
        let tree = graph.tree
        #expect(tree.ports.count == 2 * Int(side * side - 1), "a tree of 25 switches has 24 links")
    }

    /// A blocked link (one that flaps) keeps its ports from hosts, but no flood or path takes it,
    /// and it coming or going leaves the tree alone.
    @Test func aBlockedLinkCarriesNoFloodAndNoPath() {
        var graph = TopologyGraph()
        for dpid: UInt64 in 1...3 { graph.addSwitch(DatapathID(dpid)) }
        _ = graph.addLink(Self.link((1, 2), (2, 1)))
        _ = graph.addLink(Self.link((2, 2), (3, 1)))
        let tree = graph.tree
        let blockedAdd = graph.addLink(Self.link((1, 3), (3, 2)), blocked: true)
        #expect(blockedAdd == [])
        #expect(graph.tree == tree, "the tree is not computed again")
        #expect(graph.isLinkPort(Self.port(1, 3)) && !graph.floods(through: Self.port(1, 3)))
        #expect(graph.path(from: Self.port(1, 9), to: Self.port(3, 9))?.count == 3, "around, not across it")
        // Steady again: it joins the paths.
        let unblocked = graph.addLink(Self.link((1, 3), (3, 2)))
        #expect(unblocked == [])
        #expect(graph.path(from: Self.port(1, 9), to: Self.port(3, 9))?.count == 2)
        let reblocked = graph.addLink(Self.link((1, 3), (3, 2)), blocked: true)
        #expect(reblocked == [])
        let removed = graph.removeLink(Self.link((1, 3), (3, 2)))
        #expect(removed != nil && graph.blocked.isEmpty)
    }
}

@Suite struct LinkDampingTests {
    static let link = TopologyGraphTests.link((1, 2), (2, 1))
    static let t0 = NIODeadline.uptimeNanoseconds(1_000_000_000)

    @Test func aLinkThatGoesDownThreeTimesInTenSecondsIsSuppressedUntilSteady() {
        var damping = LinkDamping()
        let first = damping.wentDown(Self.link, now: Self.t0)
        let second = damping.wentDown(Self.link, now: Self.t0 + .milliseconds(100))
        #expect(!first && !second && damping.admits(Self.link))
        let third = damping.wentDown(Self.link, now: Self.t0 + .milliseconds(200))
        #expect(third, "the third flap suppresses it")
        #expect(!damping.admits(Self.link))
        // Flapping on keeps it out: each flap restarts the hold.
        let fourth = damping.wentDown(Self.link, now: Self.t0 + .seconds(5))
        #expect(!fourth)
        let early = damping.release(now: Self.t0 + .seconds(12))
        #expect(early.isEmpty)
        let late = damping.release(now: Self.t0 + .seconds(15))
        #expect(late == [Self.link])
        #expect(damping.admits(Self.link))
    }

    @Test func flapsFurtherApartThanTheWindowAreNotDamped() {
        var damping = LinkDamping()
        for second: Int64 in [0, 6, 12, 18] {
            let suppressed = damping.wentDown(Self.link, now: Self.t0 + .seconds(second))
            #expect(!suppressed)
            _ = damping.release(now: Self.t0 + .seconds(second))
        }
        #expect(damping.admits(Self.link))
    }
}
