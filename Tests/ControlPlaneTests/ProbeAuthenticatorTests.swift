import ControlPlane
import NIOCore
import OpenFlow
import Packets
import Testing
import UnitProtocol

/// Link discovery believes only probes signed with the control plane's key, recent, and not
/// seen before: a host cannot forge a link.
@Suite struct ProbeAuthenticatorTests {
    static let key = [UInt8](repeating: 0x5a, count: 32)
    static let t0: UInt64 = 1_800_000_000_000_000
    static let probe = LLDPProbe(
        datapathID: DatapathID(1), port: PortNumber(2), portAddress: MACAddress(2, 0, 0, 0, 1, 2))

    @Test func aSignedProbeIsBelievedOnce() throws {
        var sender = ProbeAuthenticator(unit: UnitID(11), key: Self.key)
        var receiver = ProbeAuthenticator(unit: UnitID(11), key: Self.key)
        let signed = sender.sign(Self.probe, now: Self.t0)
        #expect(signed.origin == LLDPProbe.Origin(unit: 11, sentAt: Self.t0))
        #expect(signed.authenticator?.count == LLDPProbe.authenticatorLength)
        // It travels as a frame and is read back whole.
        let arrived = try #require(LLDPProbe(parsing: signed.frame.encoded()))
        #expect(arrived == signed)
        #expect(receiver.verify(arrived, now: Self.t0 + 2_000) == .success(UnitID(11)))
        #expect(receiver.verify(arrived, now: Self.t0 + 3_000) == .failure(.replayed), "a second copy")
        // The next round's probe from the same port is newer, even signed in the same microsecond.
        let next = sender.sign(Self.probe, now: Self.t0)
        #expect(next.origin?.sentAt == Self.t0 + 1)
        #expect(receiver.verify(next, now: Self.t0 + 4_000) == .success(UnitID(11)))
    }

    @Test func forgedAlteredOrForeignProbesAreNot() {
        var sender = ProbeAuthenticator(unit: UnitID(11), key: Self.key)
        var receiver = ProbeAuthenticator(unit: UnitID(11), key: Self.key)
        #expect(receiver.verify(Self.probe, now: Self.t0) == .failure(.unsigned))
        let signed = sender.sign(Self.probe, now: Self.t0)
        // A host that changes what the probe claims (another port, another switch, another unit).
        var otherPort = signed
        otherPort.port = PortNumber(3)
        var otherSwitch = signed
        otherSwitch.datapathID = DatapathID(9)
        var otherUnit = signed
        otherUnit.origin?.unit = 12
        for altered in [otherPort, otherSwitch, otherUnit] {
            #expect(receiver.verify(altered, now: Self.t0) == .failure(.badAuthenticator))
        }
        // Signed by a unit of another control plane (another key), or by a unit with a key of its own.
        var stranger = ProbeAuthenticator(unit: UnitID(11), key: [UInt8](repeating: 1, count: 32))
        #expect(receiver.verify(stranger.sign(Self.probe, now: Self.t0), now: Self.t0) == .failure(.badAuthenticator))
        var loner = ProbeAuthenticator(unit: UnitID(11), key: ProbeAuthenticator.randomKey())
        #expect(receiver.verify(loner.sign(Self.probe, now: Self.t0), now: Self.t0) == .failure(.badAuthenticator))
        // None of these spent the genuine probe.
        #expect(receiver.verify(signed, now: Self.t0) == .success(UnitID(11)))
    }

    /// A probe a host captured (one sent out of its own port) and sends again later, elsewhere.
    @Test func oldProbesAndProbesFromAheadAreNot() {
        var sender = ProbeAuthenticator(unit: UnitID(11), key: Self.key)
        var receiver = ProbeAuthenticator(unit: UnitID(11), key: Self.key, maximumAgeMicroseconds: 5_000_000)
        let captured = sender.sign(Self.probe, now: Self.t0)
        #expect(receiver.verify(captured, now: Self.t0 + 5_000_001) == .failure(.stale))
        let ahead = sender.sign(Self.probe, now: Self.t0 + 60_000_000)
        #expect(receiver.verify(ahead, now: Self.t0) == .failure(.fromTheFuture))
        #expect(receiver.verify(captured, now: Self.t0 + 4_999_999) == .success(UnitID(11)), "within the window")
    }

    @Test func anotherUnitsProbeNamesIt() {
        var tier1b = ProbeAuthenticator(unit: UnitID(12), key: Self.key)
        var receiver = ProbeAuthenticator(unit: UnitID(11), key: Self.key)
        #expect(receiver.verify(tier1b.sign(Self.probe, now: Self.t0), now: Self.t0) == .success(UnitID(12)))
    }

    /// Through the unit: the probes it sends come back as PACKET_INs from the next switch.
    @Test func theUnitLearnsLinksOnlyFromItsOwnGenuineProbes() throws {
        var unit = UnitController(services: [], domain: UnitID(11), probeKey: Self.key)
        let sink = RecordingSink()
        let now = NIODeadline.uptimeNanoseconds(5_000_000_000)
        unit.setWallClock(microseconds: Self.t0, at: now)
        for dpid: UInt64 in [1, 2] {
            _ = unit.switchConnected(
                LinkDiscoveryTests.description(dpid, ports: [1, 2]), on: ConnectionID(rawValue: UInt(dpid)), now: now,
                sink: sink)
        }
        // Switch 1's probe out of port 2, as switch 2 reports it arriving on port 1.
        let probeData = try #require(
            sink.sent.compactMap { dpid, body -> ByteBuffer? in
                guard dpid == DatapathID(1), case .packetOut(let out) = body,
                    out.actions == [.output(port: PortNumber(2), maxLength: 0)]
                else { return nil }
                return out.data
            }.first)
        func arrive(_ data: ByteBuffer, at port: UInt16 = 1) {
            let packetIn = PacketIn(totalLength: UInt16(data.readableBytes), inPort: PortNumber(port), data: data)
            unit.received(OpenFlowMessage(xid: 0, .packetIn(packetIn)), from: DatapathID(2), now: now, sink: sink)
        }
        arrive(probeData)
        #expect(unit.counters.linksDiscovered == 1)
        #expect(unit.hosts.infrastructurePorts.contains(HostLocation(datapathID: DatapathID(2), port: PortNumber(1))))
        // The same bytes again, at another port (a host relaying what it captured): not a link.
        arrive(probeData, at: 2)
        // A probe a host made up, naming switch 1's port 1.
        let forged = LLDPProbe(
            datapathID: DatapathID(1), port: PortNumber(1), portAddress: MACAddress(2, 0, 0, 0, 1, 1),
            origin: LLDPProbe.Origin(unit: 11, sentAt: Self.t0), authenticator: [UInt8](repeating: 0, count: 16))
        arrive(forged.frame.encoded(), at: 2)
        #expect(unit.counters.linksDiscovered == 1)
        #expect(unit.counters.probesRejected == ["replayed": 1, "bad_authenticator": 1])
        #expect(!unit.hosts.infrastructurePorts.contains(HostLocation(datapathID: DatapathID(2), port: PortNumber(2))))
    }
}
