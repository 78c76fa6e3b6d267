import Foundation
import NIOCore
import Testing

@testable import echelon_bench

/// The emulated cables, the addresses of path setup's host pairs, and the admin API's answers,
/// as values.
@Suite struct FabricTests {
    /// Every cable leads back to where it came from.
    private func expectSymmetric(_ fabric: Fabric) {
        var ends = 0
        for index in 0..<fabric.switchCount {
            for port in 1..<fabric.firstHostPorts[index] {
                guard let far = fabric.farEnd(of: index, port: port) else { continue }
                ends += 1
                #expect(far.switchIndex != index)
                #expect(
                    fabric.farEnd(of: far.switchIndex, port: far.port) == Fabric.End(switchIndex: index, port: port))
            }
        }
        #expect(ends == 2 * fabric.linkCount)
    }

    @Test func lineJoinsEachSwitchToTheNext() {
        let fabric = Fabric.line(links: 6)
        #expect(fabric.switchCount == 7)
        #expect(fabric.linkCount == 6)
        #expect(fabric.farEnd(of: 0, port: 1) == nil)
        #expect(fabric.farEnd(of: 0, port: 2) == Fabric.End(switchIndex: 1, port: 1))
        #expect(fabric.farEnd(of: 6, port: 1) == Fabric.End(switchIndex: 5, port: 2))
        #expect(fabric.farEnd(of: 6, port: 2) == nil)
        #expect(fabric.farEnd(of: 3, port: 3) == nil)
        #expect(fabric.hostPorts(of: 0) == (3, 1) && fabric.hostPorts(of: 6) == (3, 1))
        expectSymmetric(fabric)
    }

    /// The same seed wires the same cables: distinct pairs, none to itself, host ports after them.
    @Test func randomFabricIsDeterministicAndSymmetric() throws {
        let fabric = try #require(Fabric.random(switches: 100, links: 500, hostPorts: 4, seed: 7))
        let again = try #require(Fabric.random(switches: 100, links: 500, hostPorts: 4, seed: 7))
        #expect(fabric.portCounts == again.portCounts)
        #expect(fabric.linkCount == 500)
        expectSymmetric(fabric)
        var pairs: Set<[Int]> = []
        for index in 0..<100 {
            let (first, count) = fabric.hostPorts(of: index)
            #expect(count == 4 && Int(first) + count - 1 == Int(fabric.portCounts[index]))
            for port in 1..<first {
                let far = try #require(fabric.farEnd(of: index, port: port))
                pairs.insert([min(index, far.switchIndex), max(index, far.switchIndex)])
            }
            #expect(fabric.farEnd(of: index, port: first) == nil)
        }
        #expect(pairs.count == 500)
        #expect(Fabric.random(switches: 4, links: 7, hostPorts: 4, seed: 7) == nil)
    }

    @Test func pairAddressesNameTheirPairAndDirection() throws {
        for pair: UInt32 in [0, 1, 0xdead_beef, UInt32.max - 1] {
            let a = PathSetupLoad.sourceMAC(pair).rawValue
            let b = PathSetupLoad.destinationMAC(pair).rawValue
            #expect(!PathSetupLoad.sourceMAC(pair).isMulticast && !PathSetupLoad.destinationMAC(pair).isMulticast)
            let there = try #require(PathSetupLoad.pair(source: a, destination: b))
            let back = try #require(PathSetupLoad.pair(source: b, destination: a))
            #expect(there.pair == pair && !there.back)
            #expect(back.pair == pair && back.back)
        }
        let (a1, b2) = (PathSetupLoad.sourceMAC(1).rawValue, PathSetupLoad.destinationMAC(2).rawValue)
        #expect(PathSetupLoad.pair(source: a1, destination: b2) == nil)
        #expect(PathSetupLoad.pair(source: a1, destination: a1) == nil)
    }
}
