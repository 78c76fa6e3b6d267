import ControlPlane
import NIOCore
import Testing
import UnitProtocol

/// Whole control planes of route tables: the final tables, and how many messages it took
/// (bounded, so no advertisement ever loops). UIDs are chosen so that the tens digit is the
/// tier; a table reads SID → "next hop/hops".
@Suite struct RouteTableScenarioTests {
    @Test func aChainOfFourTiers() {
        var network = RouteNetwork()
        network.addUnit(40, hosting: [400])
        network.addUnit(30)
        network.addUnit(20, hosting: [200])
        network.addUnit(10)
        network.connect(30, upstream: 40)
        network.connect(20, upstream: 30)
        network.connect(10, upstream: 20)
        let messages = network.settle()
        #expect(network.table(40) == [400: "local/0"])
        #expect(network.table(30) == [400: "40/1"], "no service of a lower tier travels up")
        #expect(network.table(20) == [400: "30/2", 200: "local/0"])
        #expect(network.table(10) == [400: "20/3", 200: "20/1"])
        // One per channel, and one more where a route arrived after its channel came up.
        #expect(messages == 4)

        // The middle dies: everything above tier 3 is gone for the units below it.
        network.kill(30)
        #expect(network.settle() <= 2)
        #expect(network.table(20) == [200: "local/0"])
        #expect(network.table(10) == [200: "20/1"])
        network.restart(30)
        network.settle()
        #expect(network.table(10) == [400: "20/3", 200: "20/1"])
    }

    @Test func aDiamondFailsOverToItsOtherPath() {
        var network = RouteNetwork()
        network.addUnit(30, hosting: [300])
        network.addUnit(21)
        network.addUnit(22)
        network.addUnit(10)
        network.connect(21, upstream: 30)
        network.connect(22, upstream: 30)
        network.connect(10, upstream: 22)
        network.connect(10, upstream: 21)
        network.settle()
        #expect(network.table(10) == [300: "21/2"], "equal paths: the lower UID, whatever the order they came up in")
        #expect(network.tables[UnitID(10)]?.route(to: ServiceID(300))?.relation == .upstream)

        network.kill(21)
        let failover = network.settle()
        #expect(network.table(10) == [300: "22/2"])
        #expect(failover <= 2)

        network.restart(21)
        network.settle()
        #expect(network.table(10) == [300: "21/2"])
    }

    @Test func twoPeersUnderOneUpstream() {
        var network = RouteNetwork()
        network.addUnit(30, hosting: [300])
        network.addUnit(11, hosting: [110])
        network.addUnit(12, hosting: [120])
        network.addUnit(1)
        network.connect(11, upstream: 30)
        network.connect(12, upstream: 30)
        network.peer(11, 12)
        network.connect(1, upstream: 11)
        let messages = network.settle()
        #expect(network.table(11) == [300: "30/1", 110: "local/0"])
        #expect(
            network.table(12) == [300: "30/1", 120: "local/0"], "a peer's own services never become routes through it")
        #expect(network.table(30) == [300: "local/0"])
        #expect(network.table(1) == [300: "11/2", 110: "11/1"])
        #expect(messages <= 8)

        // 11 loses its upstream: it reaches the service through its peer, and tells its client.
        network.cut(11, 30)
        network.settle()
        #expect(network.table(11) == [300: "12/2", 110: "local/0"])
        #expect(network.tables[UnitID(11)]?.route(to: ServiceID(300))?.relation == .peer)
        #expect(network.table(1) == [300: "11/3", 110: "11/1"])
        #expect(network.table(12) == [300: "30/1", 120: "local/0"], "12 still goes up itself, and hears nothing back")

        network.connect(11, upstream: 30)
        network.settle()
        #expect(network.table(11) == [300: "30/1", 110: "local/0"])
        #expect(network.table(1) == [300: "11/2", 110: "11/1"])
    }

    @Test func twoIslandsJoinedByAPeerLink() {
        var network = RouteNetwork()
        network.addUnit(20, hosting: [200])
        network.addUnit(25, hosting: [250])
        network.addUnit(11)
        network.addUnit(16)
        network.addUnit(1)
        network.connect(11, upstream: 20)
        network.connect(16, upstream: 25)
        network.connect(1, upstream: 11)
        network.peer(11, 16)
        network.settle()
        #expect(network.table(11) == [200: "20/1", 250: "16/2"])
        #expect(network.table(16) == [250: "25/1", 200: "11/2"])
        #expect(network.table(1) == [200: "11/2", 250: "11/3"])
        #expect(network.table(20) == [200: "local/0"], "nothing travels up")
        #expect(network.table(25) == [250: "local/0"])

        network.cut(11, 16)
        network.settle()
        #expect(network.table(11) == [200: "20/1"])
        #expect(network.table(1) == [200: "11/2"])
        #expect(network.table(16) == [250: "25/1"])
    }

    @Test func aLoopAmongPeersNeitherLoopsNorCountsToInfinity() {
        var network = RouteNetwork()
        network.addUnit(30, hosting: [300])
        for unit: UInt32 in [11, 12, 13] { network.addUnit(unit) }
        network.connect(11, upstream: 30)
        network.peer(11, 12)
        network.peer(12, 13)
        network.peer(13, 11)
        let messages = network.settle()
        #expect(network.table(11) == [300: "30/1"])
        #expect(network.table(12) == [300: "11/2"])
        #expect(network.table(13) == [300: "11/2"])
        #expect(messages <= 3)

        network.kill(30)
        let withdrawal = network.settle()
        #expect(network.table(11).isEmpty && network.table(12).isEmpty && network.table(13).isEmpty)
        #expect(withdrawal <= 2, "one withdrawal to each peer, no echo")

        network.restart(30)
        network.settle()
        #expect(network.table(12) == [300: "11/2"])
    }

    @Test func fiftyUnitsAndAThousandServicesConvergeWithBoundedMessages() {
        // A tier-3 root, 7 tier-2 units below it, 42 tier-1 units below those (6 each); 1,000
        // services over the upper tiers. Tier-1 units of neighbouring subtrees are peers, child
        // for child, in subtree pairs (0,1), (2,3), (4,5); subtree 6 has no peers.
        var network = RouteNetwork()
        network.addUnit(1000, hosting: Array(0..<300))
        let middle = (0..<7).map { UInt32(2000 + $0) }
        for (index, unit) in middle.enumerated() {
            network.addUnit(unit, hosting: (0..<100).map { UInt32(1000 + index * 100 + $0) })
            network.connect(unit, upstream: 1000)
        }
        func leaf(_ subtree: Int, _ child: Int) -> UInt32 { UInt32(3000 + subtree * 10 + child) }
        for (subtree, parent) in middle.enumerated() {
            for child in 0..<6 {
                network.addUnit(leaf(subtree, child))
                network.connect(leaf(subtree, child), upstream: parent)
            }
        }
        for subtree in stride(from: 0, to: 6, by: 2) {
            for child in 0..<6 { network.peer(leaf(subtree, child), leaf(subtree + 1, child)) }
        }
        let messages = network.settle()
        for subtree in 0..<7 {
            for child in 0..<6 {
                // The root's 300, the parent's 100, and the peer subtree's 100 where there is one.
                #expect(network.table(leaf(subtree, child)).count == (subtree == 6 ? 400 : 500))
            }
        }
        #expect(network.table(3000)[1050] == "2000/1")
        #expect(network.table(3000)[1150] == "3010/2", "the neighbouring subtree's service, through the peer")
        #expect(network.table(3000)[5] == "2000/2", "the root's, through the parent, not the peer")
        #expect(messages <= 2 * 96, "\(messages) messages for 96 channel ends")

        // The root dies: its 300 services are withdrawn everywhere, and nothing else moves.
        network.kill(1000)
        let withdrawal = network.settle()
        #expect(network.table(3000).count == 200)
        #expect(withdrawal <= 2 * 96, "\(withdrawal) messages")
    }
}
