// Benchmarks of the OpenFlow 1.0 wire library (modules OpenFlow and Packets).
//
// Every benchmark handles `messagesPerIteration` messages per measured iteration (scaling
// factor .kilo), so that one iteration is long enough to time precisely; Scripts/bench-wire
// divides the per-iteration figures back to figures per message.

import Benchmark
import NIOCore
import OpenFlow
import Packets

// MARK: - Inputs

/// Bytes of a vector from Tests/OpenFlowTests/Vectors/ovs (its lines not starting with #).
private func bytes(_ hex: String) -> ByteBuffer {
    let digits = Array(hex.utf8.filter { $0 != UInt8(ascii: "\n") && $0 != UInt8(ascii: " ") })
    precondition(digits.count % 2 == 0, "odd number of hex digits")
    func nibble(_ c: UInt8) -> UInt8 {
        switch c {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return c - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): return c - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): return c - UInt8(ascii: "A") + 10
        default: preconditionFailure("not a hex digit: \(c)")
        }
    }
    var buffer = ByteBufferAllocator().buffer(capacity: digits.count / 2)
    var index = 0
    while index < digits.count {
        buffer.writeInteger(nibble(digits[index]) << 4 | nibble(digits[index + 1]))
        index += 2
    }
    return buffer
}

/// 10-packet-in-action-ipv4-tcp-syn-ip-options.txt: an 84-byte PACKET_IN carrying a 66-byte
/// Ethernet/IPv4 (with options)/TCP SYN frame.
private let packetInBytes = bytes(
    """
    010a005400000000ffffffff0042fffd01000200000000020200000000010800
    461000341234400040067f790a0000010a000002940400009c40005011223344
    000000007002faf093350000020405b401010402
    """)

/// 14-flow-mod-action-multi.txt: a 128-byte FLOW_MOD, tcp,nw_src=10.3.0.0/16,tp_dst=443 with
/// six actions (mod_dl_src, mod_nw_dst, mod_tp_dst, mod_nw_tos, output:1, controller:64).
private let flowModBytes = bytes(
    """
    010e0080000000060038104f0000000000000000000000000000000000000800
    000600000a03000000000000000001bb00000000000000000000000000000266
    ffffffffffff0000000400100200000000aa000000000000000700080a090909
    000a000820fb00000008000820000000000000080001000000000008fffd0040
    """)

/// 12-port-status-add.txt: a 64-byte PORT_STATUS (fixed size), port 3 "ecv13700c".
private let portStatusBytes = bytes(
    """
    010c004000000000000000000000000000035a798d7f63ac6563763133373030
    63000000000000000000000100000001000000c0000000000000000000000000
    """)

/// An 8-byte BARRIER_REQUEST (fixed size, header only).
private let barrierRequestBytes = bytes("0112000800000007")

/// The 40-byte `ofp_match` inside the FLOW_MOD above.
private let matchBytes = flowModBytes.getSlice(at: 8, length: Match.size)!

private func parsed(_ input: ByteBuffer) -> OpenFlowMessage {
    var buffer = input
    do { return try OpenFlowMessage(parsing: &buffer) } catch { fatalError("benchmark input does not parse: \(error)") }
}

// MARK: - Benchmarks

let benchmarks: @Sendable () -> Void = {
    Benchmark.defaultConfiguration = .init(
        metrics: [.throughput, .wallClock, .mallocCountTotal],
        warmupIterations: 20,
        scalingFactor: .kilo,
        maxDuration: .seconds(2),
        maxIterations: 100_000
    )

    // PACKET_IN

    Benchmark("PACKET_IN parse") { benchmark in
        let input = packetInBytes
        benchmark.startMeasurement()
        for _ in benchmark.scaledIterations {
            var buffer = input
            blackHole(try OpenFlowMessage(parsing: &buffer))
        }
    }

    Benchmark("PACKET_IN header+match") { benchmark in
        let input = packetInBytes
        benchmark.startMeasurement()
        for _ in benchmark.scaledIterations {
            var buffer = input
            let message = try OpenFlowMessage(parsing: &buffer)
            guard case .packetIn(let packetIn) = message.body else { fatalError("not a PACKET_IN") }
            blackHole(Match(extractingFrom: packetIn.data, inPort: packetIn.inPort))
        }
    }

    Benchmark("PACKET_IN serialise") { benchmark in
        let message = parsed(packetInBytes)
        var buffer = ByteBufferAllocator().buffer(capacity: 256)
        benchmark.startMeasurement()
        for _ in benchmark.scaledIterations {
            buffer.clear()
            message.write(to: &buffer)
            blackHole(buffer.writerIndex)
        }
        benchmark.stopMeasurement()
        precondition(buffer == packetInBytes, "PACKET_IN did not serialise to its input")
    }

    // FLOW_MOD

    Benchmark("FLOW_MOD parse (6 actions)") { benchmark in
        let input = flowModBytes
        benchmark.startMeasurement()
        for _ in benchmark.scaledIterations {
            var buffer = input
            blackHole(try OpenFlowMessage(parsing: &buffer))
        }
    }

    Benchmark("FLOW_MOD serialise (6 actions)") { benchmark in
        let message = parsed(flowModBytes)
        var buffer = ByteBufferAllocator().buffer(capacity: 256)
        benchmark.startMeasurement()
        for _ in benchmark.scaledIterations {
            buffer.clear()
            message.write(to: &buffer)
            blackHole(buffer.writerIndex)
        }
        benchmark.stopMeasurement()
        precondition(buffer == flowModBytes, "FLOW_MOD did not serialise to its input")
    }

    // Fixed-size messages

    Benchmark("PORT_STATUS parse (fixed 64 B)") { benchmark in
        let input = portStatusBytes
        benchmark.startMeasurement()
        for _ in benchmark.scaledIterations {
            var buffer = input
            blackHole(try OpenFlowMessage(parsing: &buffer))
        }
    }

    Benchmark("BARRIER_REQUEST parse (fixed 8 B)") { benchmark in
        let input = barrierRequestBytes
        benchmark.startMeasurement()
        for _ in benchmark.scaledIterations {
            var buffer = input
            blackHole(try OpenFlowMessage(parsing: &buffer))
        }
    }

    // Pieces of the parse paths, to locate an allocation if a message shows one.

    Benchmark("piece: OpenFlowHeader.peek") { benchmark in
        let input = packetInBytes
        benchmark.startMeasurement()
        for _ in benchmark.scaledIterations {
            blackHole(try OpenFlowHeader.peek(in: input))
        }
    }

    Benchmark("piece: Match parse (40 B)") { benchmark in
        let input = matchBytes
        benchmark.startMeasurement()
        for _ in benchmark.scaledIterations {
            var reader = WireReader(input, messageOffset: 8)
            blackHole(try Match(parsing: &reader))
        }
    }

    Benchmark("piece: Match(extractingFrom:)") { benchmark in
        guard case .packetIn(let packetIn) = parsed(packetInBytes).body else { fatalError("not a PACKET_IN") }
        benchmark.startMeasurement()
        for _ in benchmark.scaledIterations {
            blackHole(Match(extractingFrom: packetIn.data, inPort: packetIn.inPort))
        }
    }

    Benchmark("piece: PhysicalPort parse (48 B)") { benchmark in
        let input = portStatusBytes.getSlice(at: 16, length: PhysicalPort.size)!
        benchmark.startMeasurement()
        for _ in benchmark.scaledIterations {
            var reader = WireReader(input, messageOffset: 16)
            blackHole(try PhysicalPort(parsing: &reader))
        }
    }

    Benchmark("piece: PhysicalPort non-UTF-8 name") { benchmark in
        // The same port with name bytes 0xff 0xfe: the replacement path of readFixedString.
        var input = portStatusBytes.getSlice(at: 16, length: PhysicalPort.size)!
        input.setBytes([0xff, 0xfe], at: input.readerIndex + 10)
        benchmark.startMeasurement()
        for _ in benchmark.scaledIterations {
            var reader = WireReader(input, messageOffset: 16)
            blackHole(try PhysicalPort(parsing: &reader))
        }
    }

    Benchmark("piece: Action list parse (6)") { benchmark in
        let input = flowModBytes.getSlice(at: 72, length: flowModBytes.readableBytes - 72)!
        benchmark.startMeasurement()
        for _ in benchmark.scaledIterations {
            var reader = WireReader(input, messageOffset: 72)
            blackHole(try Action.parseList(&reader))
        }
    }
}
