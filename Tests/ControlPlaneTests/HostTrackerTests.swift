import ControlPlane
import NIOCore
import OpenFlow
import Testing

@Suite struct HostTrackerTests {
    let t0 = NIODeadline.uptimeNanoseconds(1_000_000_000)
    let s1 = DatapathID(1), s2 = DatapathID(2)
    let hostMAC = MACAddress(0, 0, 0, 0, 0, 1)

    func match(from mac: MACAddress, port: UInt16, ip: IPv4Address? = nil, vlan: UInt16 = Match.vlanNone) -> Match {
        Match(
            wildcards: [], inPort: PortNumber(port), dlSrc: mac, dlDst: .broadcast, dlVlan: vlan,
            dlType: ip == nil ? 0x86dd : 0x0800, nwSrc: ip ?? .any)
    }

    @Test func learnsAHostThenReportsWhatChanges() {
        var tracker = HostTracker()
        let added = tracker.observe(match(from: hostMAC, port: 1), on: s1, now: t0)
        #expect(added == .deviceAdded(Host(mac: hostMAC, location: HostLocation(datapathID: s1, port: PortNumber(1)))))
        #expect(tracker.observe(match(from: hostMAC, port: 1), on: s1, now: t0) == nil)

        let withIP = tracker.observe(match(from: hostMAC, port: 1, ip: IPv4Address(10, 0, 0, 1)), on: s1, now: t0)
        guard case .deviceChanged(let host, .ipv4(from: nil)) = withIP else {
            Issue.record("\(String(describing: withIP))")
            return
        }
        #expect(host.ipv4 == IPv4Address(10, 0, 0, 1))

        let tagged = tracker.observe(match(from: hostMAC, port: 1, vlan: 10), on: s1, now: t0)
        guard case .deviceChanged(_, .vlan(from: nil)) = tagged else {
            Issue.record("\(String(describing: tagged))")
            return
        }

        let moved = tracker.observe(match(from: hostMAC, port: 3, vlan: 10), on: s2, now: t0)
        guard case .deviceChanged(let movedHost, .moved(let from)) = moved else {
            Issue.record("\(String(describing: moved))")
            return
        }
        #expect(from == HostLocation(datapathID: s1, port: PortNumber(1)))
        #expect(movedHost.location == HostLocation(datapathID: s2, port: PortNumber(3)))
        #expect(movedHost.ipv4 == IPv4Address(10, 0, 0, 1), "moving keeps what is known")
    }

    @Test func framesOnInterSwitchPortsAndReservedPortsSayNothingAboutHosts() {
        var tracker = HostTracker()
        _ = tracker.observe(match(from: hostMAC, port: 1), on: s1, now: t0)
        // s1:1 turns out to face another switch: the host seen there is forgotten.
        let forgotten = tracker.markInfrastructure(HostLocation(datapathID: s1, port: PortNumber(1)))
        #expect(forgotten.count == 1)
        #expect(tracker.observe(match(from: hostMAC, port: 1), on: s1, now: t0) == nil)
        #expect(tracker.count == 0)
        #expect(tracker.observe(match(from: hostMAC, port: PortNumber.local.rawValue), on: s1, now: t0) == nil)
        #expect(tracker.observe(match(from: .broadcast, port: 2), on: s1, now: t0) == nil)
    }

    @Test func silentHostsExpire() {
        var tracker = HostTracker(idleTimeout: .seconds(60))
        _ = tracker.observe(match(from: hostMAC, port: 1), on: s1, now: t0)
        #expect(tracker.expire(now: t0 + .seconds(59)).isEmpty)
        #expect(tracker.expire(now: t0 + .seconds(60)).count == 1)
        #expect(tracker.count == 0)
    }

    @Test func hostsOfADepartedSwitchAreRemoved() {
        var tracker = HostTracker()
        _ = tracker.observe(match(from: hostMAC, port: 1), on: s1, now: t0)
        _ = tracker.observe(match(from: MACAddress(0, 0, 0, 0, 0, 2), port: 1), on: s2, now: t0)
        let removed = tracker.removeAttached(to: s1)
        #expect(removed.count == 1)
        #expect(tracker.host(hostMAC) == nil)
        #expect(tracker.count == 1)
    }

    @Test func capacityBoundsMemory() {
        var tracker = HostTracker(capacity: 2)
        for index in 1...5 {
            _ = tracker.observe(match(from: MACAddress(rawValue: UInt64(index)), port: 1), on: s1, now: t0)
        }
        #expect(tracker.count == 2)
        #expect(tracker.overflowCount == 3)
    }

    /// The tracker holds one per host: a hundred thousand hosts are as many dictionary slots.
    @Test func aTrackedHostTakesThirtyTwoBytes() {
        #expect(MemoryLayout<Host>.stride == 24)
        #expect(MemoryLayout<HostTracker.TrackedHost>.stride == 32)
        var host = Host(
            mac: MACAddress(0, 0, 0, 0, 0, 1), location: HostLocation(datapathID: DatapathID(1), port: PortNumber(1)))
        #expect(host.vlan == nil && host.ipv4 == nil)
        host.vlan = 0
        host.ipv4 = IPv4Address(10, 0, 0, 1)
        #expect(host.vlan == 0 && host.ipv4 == IPv4Address(10, 0, 0, 1))
    }
}
