import Foundation
import NIOCore
import OpenFlow
import Testing

@Suite(.serialized) struct SwitchChannelRobustnessTests {
    static func broadcastPacketIn(from source: MACAddress) -> OpenFlowMessage {
        var frame = ByteBuffer()
        frame.writeMACAddress(.broadcast)
        frame.writeMACAddress(source)
        frame.writeInteger(UInt16(0x0806))
        frame.writeRepeatingByte(0, count: 46)
        return OpenFlowMessage(xid: 0, .packetIn(PacketIn(totalLength: 60, inPort: PortNumber(1), data: frame)))
    }

    @Test func aMisbehavingSwitchIsAnsweredAndDroppedWhileItsNeighbourKeepsWorking() throws {
        let unit = try UnitProcess()
        let good = try RawSwitch(port: unit.port)
        let bad = try RawSwitch(port: unit.port)
        #expect(good.handshake(dpid: 1))
        #expect(bad.handshake(dpid: 2))

        // Garbage with an honest length: an error naming the request, the channel stays.
        bad.sendBytes([1, 77, 0, 8, 0, 0, 0, 5])
        let error = try #require(bad.receive(.error))
        #expect(error.xid == 5)
        if case .error(let body) = error.body { #expect(body.codeName == "OFPBRC_BAD_TYPE") }

        // The neighbour is unaffected.
        good.send(Self.broadcastPacketIn(from: MACAddress(0, 0, 0, 0, 0, 1)))
        #expect(good.receive(.packetOut) != nil)

        // A lying length: an error, then the channel closes.
        bad.sendBytes([1, 10, 0, 4, 0, 0, 0, 6])
        #expect(bad.receive(.error) != nil)
        #expect(bad.waitForClose(timeout: 5))

        good.send(OpenFlowMessage(xid: 99, .echoRequest(EchoRequest())))
        #expect(good.receive(.echoReply)?.xid == 99)
        let (status, log) = unit.stop()
        #expect(status == 0)
        #expect(
            log.contains("dpid=0000000000000002")
                && log.contains("closing switch channel: unrecoverable framing error"),
            "a log line names the switch and why:\n\(log)")
    }

    @Test func aFloodOfUnsupportedMessagesDisconnectsTheSwitch() throws {
        let unit = try UnitProcess(switchSettings: #""errorBudget": 5"#)
        let bad = try RawSwitch(port: unit.port)
        #expect(bad.handshake(dpid: 3))
        for xid in 0..<50 { bad.send(OpenFlowMessage(xid: UInt32(xid), .flowMod(FlowMod(match: .all)))) }
        #expect(bad.waitForClose(timeout: 5))
        let (_, log) = unit.stop()
        #expect(log.contains("malformed or unsupported messages within the error window"), "\(log)")
    }

    @Test func aConnectionThatNeverCompletesTheHandshakeIsClosed() throws {
        let unit = try UnitProcess(switchSettings: #""handshakeTimeout": 1"#)
        let silent = try RawSwitch(port: unit.port)
        #expect(silent.receive(.hello) != nil)
        let started = Date()
        #expect(silent.waitForClose(timeout: 5))
        #expect(Date().timeIntervalSince(started) >= 0.9)
        let (_, log) = unit.stop()
        #expect(log.contains("handshake did not complete in time"))
    }

    @Test func aSwitchThatCannotSpeak10IsToldWhyInItsOwnVersion() throws {
        let unit = try UnitProcess()
        let modern = try RawSwitch(port: unit.port)
        #expect(modern.receive(.hello) != nil)
        modern.send(
            OpenFlowMessage(
                version: 4, xid: 1, .hello(Hello(elements: ByteBuffer(bytes: [0, 1, 0, 8, 0, 0, 0, 0x10])))))
        let error = try #require(modern.receive(.error))
        #expect(error.version == 4)
        #expect(modern.waitForClose(timeout: 5))
        let (_, log) = unit.stop()
        #expect(log.contains("version negotiation failed"))
    }

    /// A connection that names a live switch's DPID is refused, and the switch keeps its
    /// channel: anything that reaches the port could otherwise make it flap.
    @Test func aSecondConnectionNamingALiveSwitchIsRefused() throws {
        let unit = try UnitProcess()
        let first = try RawSwitch(port: unit.port)
        #expect(first.handshake(dpid: 7))
        let impostor = try RawSwitch(port: unit.port)
        #expect(impostor.handshake(dpid: 7) == false, "no SET_CONFIG: refused after its FEATURES_REPLY")
        #expect(impostor.waitForClose(timeout: 5))
        // The switch is asked whether it is still there, and answers.
        let echo = try #require(first.receive(.echoRequest))
        first.send(OpenFlowMessage(xid: echo.xid, .echoReply(EchoReply())))
        first.send(Self.broadcastPacketIn(from: MACAddress(0, 0, 0, 0, 0, 7)))
        #expect(first.receive(.packetOut, timeout: 5) != nil, "the first one keeps working")
        #expect(first.waitForClose(timeout: 3) == false)
        let (_, log) = unit.stop()
        #expect(log.contains("refusing switch: DPID 0000000000000007 is held by a live connection"), "\(log)")
        #expect(!log.contains("replaced by a newer connection"))
    }

    /// A switch whose old connection died without closing (it rebooted, a cable was pulled)
    /// gets in at its next attempt: the old one, silent when challenged, is closed first.
    @Test func aSwitchWhoseOldConnectionDiedGetsInAtItsNextAttempt() throws {
        let unit = try UnitProcess()
        let dead = try RawSwitch(port: unit.port)
        #expect(dead.handshake(dpid: 7))
        let started = Date()
        let refused = try RawSwitch(port: unit.port)
        #expect(refused.handshake(dpid: 7) == false)
        #expect(dead.waitForClose(timeout: 5), "silent when challenged, the old connection is closed")
        let waited = Date().timeIntervalSince(started)
        let again = try RawSwitch(port: unit.port)
        #expect(again.handshake(dpid: 7))
        again.send(Self.broadcastPacketIn(from: MACAddress(0, 0, 0, 0, 0, 7)))
        #expect(again.receive(.packetOut) != nil, "the new one works")
        let (_, log) = unit.stop()
        print(
            "switch reconnect: the dead connection closed \(String(format: "%.2f", waited)) s after the switch came back"
        )
        #expect(log.contains("did not answer an echo within 2000 ms"), "\(log)")
    }
}

@Suite struct UnitStartupTests {
    @Test func aPortInUseStopsTheSecondUnitWithOneLine() throws {
        let first = try UnitProcess()
        defer { _ = first.stop() }
        let executable = try #require(UnitProcess.executable)
        let second = try runCommand(executable.path, ["run", "--listen", "127.0.0.1:\(first.port)"])
        #expect(second.status == 1)
        #expect(
            second.output.contains(
                "echelon: cannot start: cannot listen for switches on 127.0.0.1:\(first.port): address already in use"))
    }

    @Test func aBadConfigurationNamesTheFileAndTheField() throws {
        let executable = try #require(UnitProcess.executable)
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("bad-unit-\(UUID().uuidString).json")
            .path
        _ = FileManager.default.createFile(
            atPath: path, contents: Data(#"{"name": "x", "services": [{"service": "routing"}]}"#.utf8))
        defer { try? FileManager.default.removeItem(atPath: path) }
        let result = try runCommand(executable.path, ["run", "--config", path])
        #expect(result.status == 1)
        #expect(
            result.output.contains(
                "echelon: cannot start: bad configuration: \(path): $.services[0].service: unknown service \"routing\""),
            "\(result.output)")
    }
}
