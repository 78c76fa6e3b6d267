import Foundation
import NIOCore
import OpenFlow
import TestSupport
import Testing

#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// Two real tiers under more load than they can answer: tier 2 hosts forwarding and every
/// PACKET_IN is DIVERTed to it; tier 1 relays. One switch floods as fast as its socket takes
/// the requests, as a real switch does (it waits for no answer); quiet switches beside it send
/// one request at a time. Then tier 2 is frozen (SIGSTOP) while the flood goes on, and thawed.
/// Tier 1's transaction table is kept small, so that a unit that read everything it was sent
/// would fill it within the test and shed the quiet switches' events with the flood's.
@Suite(.serialized) struct OverloadTests {
    /// A PACKET_IN for a frame from host `source` to a host nobody has seen, buffered as `buffer`.
    static func packetIn(source: UInt64, buffer: UInt32) -> [UInt8] {
        var frame = ByteBuffer()
        frame.writeBytes([0x02, 0, 0, 0, 0xff, 0xfe])
        frame.writeInteger(UInt16(0x0200))
        frame.writeInteger(UInt32(truncatingIfNeeded: source))
        frame.writeInteger(UInt16(0x88b5))
        frame.writeRepeatingByte(0, count: 46)
        let message = OpenFlowMessage(
            xid: buffer,
            .packetIn(
                PacketIn(bufferID: BufferID(buffer), totalLength: 60, inPort: PortNumber(1), data: frame)))
        return Array(message.encoded().readableBytesView)
    }

    /// A quiet switch: one request at a time, and when each was answered.
    final class QuietSwitch {
        let raw: RawSwitch
        let dpid: UInt64
        private(set) var sent: [UInt32: Date] = [:]
        private(set) var answered: [UInt32: TimeInterval] = [:]
        private var nextBuffer: UInt32 = 1
        private var lastSent = Date.distantPast

        init(port: Int, dpid: UInt64) throws {
            raw = try RawSwitch(port: port)
            self.dpid = dpid
            guard raw.handshake(dpid: dpid) else { throw UnitProcessError("switch \(dpid): no handshake") }
        }

        /// Reads what arrived, answers echoes, and sends the next request once the last was
        /// answered (or after `patience` without an answer).
        func step(patience: TimeInterval = 1) {
            for frame in raw.drainFrames() {
                if let buffer = BufferedPacketAnswer.bufferID(in: frame)?.rawValue, let at = sent[buffer] {
                    answered[buffer] = answered[buffer] ?? Date().timeIntervalSince(at)
                    continue
                }
                var bytes = frame
                if let message = try? OpenFlowMessage(parsing: &bytes), case .echoRequest(let echo) = message.body {
                    raw.send(OpenFlowMessage(xid: message.xid, .echoReply(EchoReply(answering: echo))))
                }
            }
            let last = nextBuffer - 1
            guard last == 0 || answered[last] != nil || Date().timeIntervalSince(lastSent) > patience else { return }
            sent[nextBuffer] = Date()
            lastSent = Date()
            raw.sendBytes(OverloadTests.packetIn(source: dpid << 16 | UInt64(nextBuffer), buffer: nextBuffer))
            nextBuffer += 1
        }

        func answeredCount(sentAfter start: Date) -> (sent: Int, answered: Int) {
            let recent = sent.filter { $0.value >= start }.map(\.key)
            return (recent.count, recent.filter { answered[$0] != nil }.count)
        }
    }

    static func rss(of pid: Int32) -> Int? {
        guard let status = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8),
            let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmRSS:") })
        else { return nil }
        return Int(line.split(separator: " ").dropFirst().first ?? "").map { $0 / 1024 }
    }

    @Test func quietSwitchesAreAnsweredBesideAFloodAndATierFrozenAbove() async throws {
        let units = try ForwardingAtTier2(
            service: #""timeoutPolicy": "fail-closed", "timeout": 1"#,
            tier1Dispatch: #""transactionCapacity": 4096, "switchWindow": 64"#)
        let (tier1, tier2, t1Switch) = (units.tier1, units.tier2, units.tier1Switch)
        var stopped = false
        defer {
            if !stopped {
                Foundation.kill(tier2.process.processIdentifier, SIGCONT)
                _ = tier1.stop()
                _ = tier2.stop()
            }
        }
        #expect(await units.waitForFilter(seconds: 20), "tier 1 has forwarding's filter")

        let flooder = try RawSwitch(port: t1Switch)
        #expect(flooder.handshake(dpid: 1))
        let quiet = try [2, 3].map { try QuietSwitch(port: t1Switch, dpid: $0) }

        // Phase 1: the flood, tier 2 awake.
        var floodSent = 0
        var floodAnswered = 0
        var buffer: UInt32 = 1
        func run(for seconds: TimeInterval) {
            let end = Date().addingTimeInterval(seconds)
            while Date() < end {
                for _ in 0..<200 {
                    guard flooder.trySendBytes(Self.packetIn(source: 1 << 40 | UInt64(buffer), buffer: buffer)) else {
                        break
                    }
                    floodSent += 1
                    buffer = buffer &+ 1
                }
                floodAnswered += flooder.drainFrames().filter { BufferedPacketAnswer.bufferID(in: $0) != nil }.count
                for one in quiet { one.step() }
                Thread.sleep(forTimeInterval: 0.002)
            }
        }
        let floodStart = Date()
        run(for: 3)
        for one in quiet {
            let (sent, answered) = one.answeredCount(sentAfter: floodStart)
            // One request at a time: each is answered, however long the flood's queue above.
            #expect(
                sent >= 3 && answered >= sent - 1,
                "switch \(one.dpid): \(answered) of \(sent) answered beside the flood")
        }
        #expect(floodAnswered > 0, "the flooding switch is served too")
        #expect(floodSent > floodAnswered, "it asked for more than the tiers could answer")
        let rssUnderFlood = Self.rss(of: tier1.process.processIdentifier) ?? 0
        #expect(rssUnderFlood < 150, "tier 1's memory stays bounded: \(rssUnderFlood) MiB")

        // Phase 2: tier 2 frozen. Tier 1 keeps its switches and its loop: echoes are answered.
        Foundation.kill(tier2.process.processIdentifier, SIGSTOP)
        let frozenAt = Date()
        run(for: 2.5)
        let echoSent = Date()
        quiet[0].raw.send(OpenFlowMessage(xid: 4242, .echoRequest(EchoRequest())))
        let echo = quiet[0].raw.receive(.echoReply, timeout: 2)
        #expect(
            echo?.xid == 4242 && Date().timeIntervalSince(echoSent) < 2, "tier 1 answers at once while tier 2 is frozen"
        )
        #expect(!flooder.closedByPeer && quiet.allSatisfy { !$0.raw.closedByPeer }, "no switch was dropped")
        let rssFrozen = Self.rss(of: tier1.process.processIdentifier) ?? 0
        #expect(rssFrozen < 150, "tier 1's memory stays bounded with tier 2 frozen: \(rssFrozen) MiB")

        // Phase 3: thawed. Service resumes (tier 1 redials tier 2 and the route comes back), and
        // no answer to a request from the frozen time comes late (fail-closed: those were dropped
        // at their timeout, and their returns are refused). How soon it resumes depends on how
        // busy the machine is: the test asserts that it does, within 30 s.
        Foundation.kill(tier2.process.processIdentifier, SIGCONT)
        let thawedAt = Date()
        let resumeBy = thawedAt.addingTimeInterval(30)
        while Date() < resumeBy, quiet.contains(where: { $0.answeredCount(sentAfter: thawedAt).answered < 3 }) {
            run(for: 0.5)
        }
        for one in quiet {
            let late = one.answered.filter { buffer, delay in
                guard let sentAt = one.sent[buffer] else { return false }
                return sentAt >= frozenAt && sentAt < thawedAt && delay > 1.5
            }
            #expect(late.isEmpty, "switch \(one.dpid): stale answers after the thaw: \(late.count)")
            let (sent, answered) = one.answeredCount(sentAfter: thawedAt)
            #expect(answered >= 3, "switch \(one.dpid): \(answered) of \(sent) answered after the thaw")
        }
        let t1Log = tier1.stop().log
        _ = tier2.stop()
        stopped = true
        #expect(t1Log.contains("overload: reading paused"), "one line when the overload starts")
        #expect(t1Log.contains("overload over after"), "and one when it ends")
        let overloadLines = t1Log.split(separator: "\n").filter { $0.contains("overload") }.count
        #expect(overloadLines < 200, "a line per episode, not per event: \(overloadLines)")
    }
}
