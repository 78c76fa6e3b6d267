import ControlPlane
import Foundation
import NIOCore
import OpenFlow
import Services
import UnitProtocol

/// The work of the tier path in one process, without sockets or event loops: what a DIVERTed
/// PACKET_IN costs each tier's logic and wire code, next to what the single unit's path costs.
///
/// Two tiers: tier 1 (no services) reads each PACKET_IN's bytes and sends the event up as
/// bytes; tier 2 reads them, runs forwarding and writes the return; tier 1 reads the return
/// and writes its messages for the switch. The single unit reads the same PACKET_INs and runs
/// forwarding itself. Events go through in rounds of `window` per switch, as the load
/// generator keeps them outstanding. The socket benchmark (`Scripts/bench-dispatch`) measures
/// the whole; this one shows the part the control plane's own code costs, steadily enough to
/// compare two builds on a shared machine.
enum TierPathBenchmark {
    struct Result: Encodable {
        let events: Int
        let localNanosecondsPerEvent: Double
        /// Tier 1 reading the PACKET_IN and sending the event up.
        let tier1EventNanosecondsPerEvent: Double
        /// Tier 1 reading the return and writing its messages for the switch.
        let tier1ReturnNanosecondsPerEvent: Double
        let tier2NanosecondsPerEvent: Double
        /// Twice the single unit's time over the two tiers' sum: the share of the single unit's
        /// throughput two tiers would keep if this work were all there is, the single unit on
        /// one core and the two tiers sharing two.
        let localShareOfTwoTiers: Double
    }

    static let tier1 = UnitID(11)
    static let tier2 = UnitID(20)
    static let service = ServiceID(9)

    static func run(switches: Int, macs: Int, window: Int, duration: Double) throws -> Result {
        let frames = packetIns(switches: switches, macs: macs)
        let batch = switches * window
        let now = NIODeadline.now()

        var local = UnitController(services: [LearningSwitchService(priority: 100)], domain: UnitID(1))
        let localOutput = BytesOutput()
        connect(&local, switches: switches, output: localOutput, now: now)

        var lower = UnitController(services: [], domain: tier1)
        var upper = UnitController(
            services: [], domain: tier2, serving: [service: LearningSwitchService(priority: 100)])
        let lowerOutput = BytesOutput()
        let upperOutput = BytesOutput()
        connect(&lower, switches: switches, output: lowerOutput, now: now)
        let definition = ExportedService(
            sid: service, origin: tier2, name: "forwarding", priority: 0, action: .divert, timeoutPolicy: .failOpen,
            subscriptions: [.packetIn, .switchRemoved], timeoutMilliseconds: 2000)
        _ = lower.remoteServicesChanged(
            [RemoteService(definition: definition, nextHop: tier2)], now: now, sink: lowerOutput)
        lowerOutput.reset()

        var localTime: UInt64 = 0
        var tierTimes: (events: UInt64, upper: UInt64, returns: UInt64) = (0, 0, 0)
        var cursor = 0
        var events = 0
        // The first round of each MAC floods (nothing learned yet); it is run and not measured.
        // At least one round is measured, however slowly the warm-up went.
        let warmupRounds = (switches * macs + batch - 1) / batch
        let deadline = DispatchTime.now().uptimeNanoseconds + UInt64(duration * 1e9)
        var round = 0
        while round <= warmupRounds || DispatchTime.now().uptimeNanoseconds < deadline {
            defer { round += 1 }
            let start = cursor
            cursor = (cursor + batch) % frames.count
            let slice = (0..<batch).map { frames[(start + $0) % frames.count] }

            let t0 = DispatchTime.now().uptimeNanoseconds
            for (dpid, frame) in slice { try receive(frame, from: dpid, into: &local, output: localOutput, now: now) }
            let t1 = DispatchTime.now().uptimeNanoseconds
            for (dpid, frame) in slice { try receive(frame, from: dpid, into: &lower, output: lowerOutput, now: now) }
            let tUp = DispatchTime.now().uptimeNanoseconds
            var upward = lowerOutput.unitBytes
            try deliver(&upward, from: tier1, to: &upper, output: upperOutput, now: now)
            let t2 = DispatchTime.now().uptimeNanoseconds
            var downward = upperOutput.unitBytes
            try deliver(&downward, from: tier2, to: &lower, output: lowerOutput, now: now)
            let t3 = DispatchTime.now().uptimeNanoseconds

            guard lowerOutput.switchMessages == localOutput.switchMessages,
                sameButXIDs(lowerOutput.switchBytes, localOutput.switchBytes)
            else {
                throw BenchmarkError(
                    "round \(round): two tiers answered \(lowerOutput.switchMessages) messages (\(lowerOutput.switchBytes.readableBytes) bytes), "
                        + "the single unit \(localOutput.switchMessages) (\(localOutput.switchBytes.readableBytes) bytes), not the same"
                )
            }
            if round >= warmupRounds {
                localTime += t1 - t0
                tierTimes.events += tUp - t1
                tierTimes.upper += t2 - tUp
                tierTimes.returns += t3 - t2
                events += batch
            }
            for output in [localOutput, lowerOutput, upperOutput] { output.reset() }
        }
        let perEvent = { (total: UInt64) in Double(total) / Double(events) }
        let tierSum = perEvent(tierTimes.events + tierTimes.upper + tierTimes.returns)
        return Result(
            events: events, localNanosecondsPerEvent: perEvent(localTime),
            tier1EventNanosecondsPerEvent: perEvent(tierTimes.events),
            tier1ReturnNanosecondsPerEvent: perEvent(tierTimes.returns),
            tier2NanosecondsPerEvent: perEvent(tierTimes.upper), localShareOfTwoTiers: perEvent(localTime) * 2 / tierSum
        )
    }

    /// Whether two runs of OpenFlow messages are the same but for their xids (each unit numbers
    /// the messages it starts itself).
    static func sameButXIDs(_ a: ByteBuffer, _ b: ByteBuffer) -> Bool {
        guard let first = try? framesWithoutXIDs(a), let second = try? framesWithoutXIDs(b) else { return false }
        return first == second
    }

    private static func framesWithoutXIDs(_ bytes: ByteBuffer) throws -> [ByteBuffer] {
        var bytes = bytes
        var frames: [ByteBuffer] = []
        while var frame = try OpenFlowFrameDecoder.nextFrame(from: &bytes, maximumLength: OpenFlowHeader.maximumLength)
        {
            frame.setInteger(UInt32(0), at: frame.readerIndex + 4)
            frames.append(frame)
        }
        guard bytes.readableBytes == 0 else {
            throw BenchmarkError("\(bytes.readableBytes) bytes after the last whole message")
        }
        return frames
    }

    private static func connect(_ unit: inout UnitController, switches: Int, output: BytesOutput, now: NIODeadline) {
        for index in 0..<switches {
            let features = EmulatedSwitch.features(index: index)
            _ = unit.switchConnected(
                SwitchDescription(features: features), on: ConnectionID(rawValue: UInt(index + 1)), now: now,
                sink: output)
        }
        output.reset()
    }

    private static func receive(
        _ frame: ByteBuffer, from dpid: DatapathID, into unit: inout UnitController, output: BytesOutput,
        now: NIODeadline
    ) throws {
        var reader = frame
        unit.received(try OpenFlowMessage(parsing: &reader), from: dpid, now: now, sink: output)
    }

    /// Reads every unit message in `bytes` as a unit channel does (packed ones too) and hands it to `unit`.
    private static func deliver(
        _ bytes: inout ByteBuffer, from sender: UnitID, to unit: inout UnitController, output: BytesOutput,
        now: NIODeadline
    ) throws {
        while let frame = try OpenFlowFrameDecoder.nextFrame(from: &bytes, maximumLength: OpenFlowHeader.maximumLength)
        {
            guard var pack = try UnitMessagePack(frame: frame) else {
                throw BenchmarkError("a unit sent a non-unit message")
            }
            // One process, one clock: deadlines are read as units on one host read them.
            while let message = try pack.next() {
                unit.received(message, from: sender, clock: ClockOffset(nanoseconds: 0), now: now, sink: output)
            }
        }
        guard bytes.readableBytes == 0 else {
            throw BenchmarkError("a unit wrote \(bytes.readableBytes) bytes after its last whole message")
        }
    }

    /// The generator's PACKET_INs: `macs` sources per switch, each to the one before it.
    private static func packetIns(switches: Int, macs: Int) -> [(DatapathID, ByteBuffer)] {
        var frames: [(DatapathID, ByteBuffer)] = []
        for number in 0..<macs {
            for index in 0..<switches {
                var frame = ByteBuffer(
                    bytes: EmulatedSwitch.packetIn(index: index, number: number, macs: macs, buffer: UInt32(number)))
                frame.setInteger(UInt32(frames.count), at: 4)
                frames.append((EmulatedSwitch.datapathID(index: index), frame))
            }
        }
        return frames
    }

    struct BenchmarkError: Error, CustomStringConvertible {
        let description: String
        init(_ description: String) { self.description = description }
    }
}

/// Writes what a unit sends as the bytes its channels would carry: events and returns packed
/// as a unit channel packs them.
private final class BytesOutput: ControllerOutput {
    var switchBytes = ByteBuffer()
    var unitBytes = ByteBuffer()
    var switchMessages = 0
    private var xid: UInt32 = 0
    private var packer = UnitMessagePacker()

    func reset() {
        switchBytes.clear()
        unitBytes.clear()
        packer.close()
        switchMessages = 0
    }

    /// Writes a unit message with `write`, packed with the ones before it.
    private func pack(_ write: (inout ByteBuffer, UInt32) -> Void) {
        xid &+= 1
        let xid = self.xid
        packer.append(to: &unitBytes) { write(&$0, xid) }
    }

    func send(_ body: OpenFlowMessage.Body, to datapathID: DatapathID) {
        xid &+= 1
        OpenFlowMessage.write(xid: xid, body, to: &switchBytes)
        switchMessages += 1
    }

    func send(_ message: OpenFlowMessage, to datapathID: DatapathID) {
        message.write(to: &switchBytes)
        switchMessages += 1
    }

    func forward(_ messages: EventReturn.SwitchMessageList, xid: UInt32?) {
        messages.writeFrames(to: &switchBytes, xid: xid ?? 0)
        switchMessages += messages.count
    }

    func send(_ message: UnitMessage, to unit: UnitID) {
        pack { message.write(to: &$0, xid: $1) }
    }

    func sendEvent(_ event: NetworkEvent, _ send: EventSend, domain: UnitID) {
        pack {
            event.writeEscalated(
                transaction: send.transaction, sid: send.sid, domain: domain, deadline: send.deadline, to: &$0, xid: $1)
        }
    }

    func sendReturn(
        transaction: UInt32, sid: ServiceID, verdict: ReturnVerdict, messages: EventReturn.SwitchMessageList,
        bypass: [MACAddress], context: [ContextEntry], to unit: UnitID
    ) {
        pack {
            UnitMessage.writeReturn(
                transaction: transaction, sid: sid, verdict: verdict, messages: messages, bypass: bypass,
                context: context, to: &$0, xid: $1)
        }
    }

    func rejected(_ rejection: DispatchRejection) {}
}
