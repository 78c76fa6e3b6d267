import Histogram
import NIOCore
import OpenFlow
import Packets

struct PathSetupSettings: Sendable {
    /// Host pairs being set up at once (a closed loop: one starts as one ends).
    var window: Int
    /// A pair not set up this long after its first PACKET_IN is given up on, and another started.
    var timeoutNanoseconds: UInt64
}

/// What a measured period of path setup gave.
struct PathSetupMeasurement: Sendable {
    var elapsedSeconds: Double
    /// Host pairs whose every FLOW_MOD arrived in the period.
    var pairs: UInt64
    /// FLOW_MODs of the pairs in flight that arrived in the period (each counted once).
    var flowMods: UInt64
    /// Pairs given up on, not set up within the timeout.
    var timeouts: UInt64
    /// A pair's PACKET_IN from A to B answered with a flood rather than a path: the controller
    /// did not know B, or found no path.
    var flooded: UInt64
    /// FLOW_MODs for a switch and direction that already had one, for a pair no longer in flight
    /// (given up on), and any other FLOW_MOD (deletes; addresses not of a pair).
    var duplicateFlowMods: UInt64
    var lateFlowMods: UInt64
    var otherFlowMods: UInt64
    /// Pairs started and not yet set up when the period ended.
    var inFlight: Int
    /// From a pair's first PACKET_IN to its last FLOW_MOD.
    var latency: BenchReport.Latency
}

/// Sets up host pairs across the line of switches of `Fabric.line`, a window of them at a
/// time, and counts the FLOW_MODs of each.
///
/// Pair k has host A_k on the first switch's host port and B_k on the last's. The last switch
/// first sends a PACKET_IN of an ARP broadcast from B_k, so that the controller learns where
/// B_k is; it floods it (a PACKET_OUT naming the PACKET_IN's buffer). Only then does the first
/// switch send a PACKET_IN of a frame from A_k to B_k: the two switches' connections are
/// separate streams, and a request overtaking the broadcast would find B_k unknown. The
/// controller then installs the path A_k → B_k and B_k → A_k on every switch along the line:
/// the pair is set up when each switch has had its FLOW_MOD for each direction, told apart by
/// the match's two addresses.
final class PathSetupLoad {
    let settings: PathSetupSettings
    private let roster: SwitchRoster
    private let first = 0
    private let last: Int
    private let switchesOnPath: Int
    /// The host port of the first and the last switch.
    private let hostPort: UInt16
    /// Every (direction, switch) bit of a pair's FLOW_MODs.
    private let allFlowMods: UInt64

    private struct Pair {
        var started: UInt64
        /// The controller has flooded B's broadcast: A's request has been sent.
        var requested = false
        /// Bit `switch` for A → B, bit `switches + switch` for B → A.
        var flowMods: UInt64 = 0
    }

    private struct Counts {
        var pairs: UInt64 = 0
        var flowMods: UInt64 = 0
        var timeouts: UInt64 = 0
        var flooded: UInt64 = 0
        var duplicateFlowMods: UInt64 = 0
        var lateFlowMods: UInt64 = 0
        var otherFlowMods: UInt64 = 0
    }

    private var pairs: [UInt32: Pair] = [:]
    private var nextPair: UInt32 = 0
    private var running = false
    private var expiryTimer: Scheduled<Void>?
    private var counts = Counts()
    private var atMeasureStart = Counts()
    private var measuring = false
    private var measureStart: UInt64 = 0
    private var histogram = Histogram<UInt64>(
        highestTrackableValue: 60_000_000_000, numberOfSignificantValueDigits: .three)

    init(settings: PathSetupSettings, fabric: Fabric, roster: SwitchRoster) {
        self.settings = settings
        self.roster = roster
        self.switchesOnPath = fabric.switchCount
        self.last = fabric.switchCount - 1
        self.hostPort = fabric.hostPorts(of: 0).first
        self.allFlowMods = fabric.switchCount >= 32 ? UInt64.max : (1 << (2 * UInt64(fabric.switchCount))) - 1
    }

    /// Host A of pair k, behind the first switch: locally administered unicast, k in the low bits.
    static func sourceMAC(_ pair: UInt32) -> MACAddress { MACAddress(rawValue: 0x0a00_0000_0000 | UInt64(pair)) }
    /// Host B of pair k, behind the last switch.
    static func destinationMAC(_ pair: UInt32) -> MACAddress { MACAddress(rawValue: 0x0e00_0000_0000 | UInt64(pair)) }

    /// The pair two addresses belong to, and whether they name its way back (B → A).
    static func pair(source: UInt64, destination: UInt64) -> (pair: UInt32, back: Bool)? {
        let (pair, other) = (UInt32(truncatingIfNeeded: source), UInt32(truncatingIfNeeded: destination))
        guard pair == other, source >> 32 & 0xff == 0, destination >> 32 & 0xff == 0 else { return nil }
        switch (source >> 40, destination >> 40) {
        case (0x0a, 0x0e): return (pair, false)
        case (0x0e, 0x0a): return (pair, true)
        default: return nil
        }
    }

    // MARK: The loop

    /// Starts the window of pairs and the search for pairs to give up on.
    func start(on eventLoop: any EventLoop) {
        guard !running else { return }
        running = true
        fill(now: NIODeadline.now().uptimeNanoseconds)
        roster.flushPending()
        scheduleExpiry(on: eventLoop)
    }

    func stop() {
        running = false
        expiryTimer?.cancel()
        expiryTimer = nil
    }

    private func fill(now: UInt64) {
        while running && pairs.count < settings.window {
            let pair = nextPair
            nextPair = nextPair == UInt32.max - 1 ? 0 : nextPair + 1
            guard
                send(
                    Self.broadcastTemplate, from: last, pair: pair, source: Self.destinationMAC(pair),
                    destination: .broadcast)
            else { return }
            pairs[pair] = Pair(started: now)
        }
    }

    /// Every quarter of the timeout (at most 100 ms apart), gives up on the pairs older than
    /// the timeout and starts others in their place.
    private func scheduleExpiry(on eventLoop: any EventLoop) {
        guard running else { return }
        let timeout = settings.timeoutNanoseconds
        let period = min(max(timeout / 4, 1_000_000), 100_000_000)
        expiryTimer = eventLoop.assumeIsolated().scheduleTask(in: .nanoseconds(Int64(period))) {
            let now = NIODeadline.now().uptimeNanoseconds
            let expired = self.pairs.filter { now &- $0.value.started >= timeout }.keys
            for pair in expired { self.pairs[pair] = nil }
            self.counts.timeouts += UInt64(expired.count)
            self.fill(now: now)
            self.roster.flushPending()
            self.scheduleExpiry(on: eventLoop)
        }
    }

    /// A PACKET_OUT naming buffer `buffer` arrived at switch `switchIndex`.
    func packetOut(buffer: UInt32, at switchIndex: Int) {
        switch switchIndex {
        case last:
            // B's broadcast flooded: B is known, A may ask for it.
            guard let pair = pairs[buffer], !pair.requested else { return }
            pairs[buffer]?.requested = true
            _ = send(
                Self.requestTemplate, from: first, pair: buffer, source: Self.sourceMAC(buffer),
                destination: Self.destinationMAC(buffer))
        case first:
            // A's request flooded: no path was installed for it.
            counts.flooded += 1
        default:
            break
        }
    }

    /// A FLOW_MOD arrived at switch `switchIndex`.
    func flowMod(_ frame: ByteBuffer, at switchIndex: Int, now: UInt64) {
        let start = frame.readerIndex
        guard let command = frame.getInteger(at: start + Self.commandOffset, as: UInt16.self),
            command == FlowMod.Command.add.rawValue,
            let source = Self.mac(in: frame, at: start + Self.dlSrcOffset),
            let destination = Self.mac(in: frame, at: start + Self.dlDstOffset),
            let (pair, back) = Self.pair(source: source, destination: destination),
            switchIndex < switchesOnPath
        else {
            counts.otherFlowMods += 1
            return
        }
        guard let known = pairs.index(forKey: pair) else {
            counts.lateFlowMods += 1
            return
        }
        let bit: UInt64 = 1 << UInt64(back ? switchesOnPath + switchIndex : switchIndex)
        guard pairs.values[known].flowMods & bit == 0 else {
            counts.duplicateFlowMods += 1
            return
        }
        pairs.values[known].flowMods |= bit
        counts.flowMods += 1
        guard pairs.values[known].flowMods == allFlowMods else { return }
        let started = pairs.values[known].started
        pairs.remove(at: known)
        counts.pairs += 1
        if measuring { _ = histogram.record(now &- started) }
        fill(now: now)
    }

    /// Writes a PACKET_IN of pair `pair` from the switch with this index; false if it is gone.
    private func send(
        _ template: [UInt8], from switchIndex: Int, pair: UInt32, source: MACAddress, destination: MACAddress
    ) -> Bool {
        guard let member = roster[switchIndex] else { return false }
        let port = hostPort
        member.write(template) { raw in
            raw.storeBytes(of: pair.bigEndian, toByteOffset: PacketIn.Offset.bufferID, as: UInt32.self)
            raw.storeBytes(of: port.bigEndian, toByteOffset: PacketIn.Offset.inPort, as: UInt16.self)
            EmulatedSwitch.store(destination, at: PacketIn.Offset.data, in: raw)
            EmulatedSwitch.store(source, at: PacketIn.Offset.data + 6, in: raw)
            if destination == .broadcast {
                // The ARP sender's hardware address, as a real host's request carries it.
                EmulatedSwitch.store(source, at: Self.arpSenderOffset, in: raw)
            }
        }
        return true
    }

    // MARK: Measuring

    func startMeasuring() {
        measuring = true
        atMeasureStart = counts
        histogram.reset()
        measureStart = NIODeadline.now().uptimeNanoseconds
    }

    func stopMeasuring() -> PathSetupMeasurement {
        measuring = false
        let elapsed = NIODeadline.now().uptimeNanoseconds - measureStart
        let micro = { (nanoseconds: UInt64) in Double(nanoseconds) / 1000 }
        return PathSetupMeasurement(
            elapsedSeconds: Double(elapsed) / 1e9, pairs: counts.pairs - atMeasureStart.pairs,
            flowMods: counts.flowMods - atMeasureStart.flowMods, timeouts: counts.timeouts - atMeasureStart.timeouts,
            flooded: counts.flooded - atMeasureStart.flooded,
            duplicateFlowMods: counts.duplicateFlowMods - atMeasureStart.duplicateFlowMods,
            lateFlowMods: counts.lateFlowMods - atMeasureStart.lateFlowMods,
            otherFlowMods: counts.otherFlowMods - atMeasureStart.otherFlowMods, inFlight: pairs.count,
            latency: BenchReport.Latency(
                p50Microseconds: micro(histogram.valueAtPercentile(50)),
                p90Microseconds: micro(histogram.valueAtPercentile(90)),
                p99Microseconds: micro(histogram.valueAtPercentile(99)), maxMicroseconds: micro(histogram.max)))
    }

    // MARK: Wire

    /// Where `ofp_flow_mod.command` and the match's `dl_src` and `dl_dst` sit: read straight
    /// from the bytes, since the generator reads every FLOW_MOD of every path and shares the
    /// machine with the controller it measures.
    static let commandOffset = OpenFlowHeader.size + Match.size + 8
    static let dlSrcOffset = OpenFlowHeader.size + 6
    static let dlDstOffset = OpenFlowHeader.size + 12
    /// Where an ARP request's sender hardware address sits in a PACKET_IN of `broadcastTemplate`.
    static let arpSenderOffset = PacketIn.Offset.data + 14 + 8

    private static func mac(in frame: ByteBuffer, at offset: Int) -> UInt64? {
        guard let high = frame.getInteger(at: offset, as: UInt16.self),
            let low = frame.getInteger(at: offset + 2, as: UInt32.self)
        else { return nil }
        return UInt64(high) << 32 | UInt64(low)
    }

    /// A buffered PACKET_IN (xid 0) of an ARP request from B, to everyone.
    static let broadcastTemplate = EmulatedSwitch.bufferedPacketIn(
        carrying: EthernetFrame(
            destination: .broadcast, source: .zero,
            payload: .arp(
                ARPPacket(
                    operation: .request, senderHardwareAddress: .zero, senderProtocolAddress: IPv4Address(10, 0, 0, 2),
                    targetHardwareAddress: .zero, targetProtocolAddress: IPv4Address(10, 0, 0, 1)))
        ).encoded())

    /// A buffered PACKET_IN (xid 0) of a UDP datagram from A to B.
    static let requestTemplate = EmulatedSwitch.packetInTemplate
}
