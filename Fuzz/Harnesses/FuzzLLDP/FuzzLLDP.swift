import FuzzSupport
import NIOCore
import Packets

/// A frame from the data plane, as a PACKET_IN carries it: parsed as Ethernet and read as an
/// LLDP probe as link discovery reads it. A probe that reads must read the same from the frame
/// the unit would build for it (`LLDPProbe.frame`).
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzLLDP(_ start: UnsafeRawPointer, _ count: Int) -> CInt {
    let bytes = FuzzInput.buffer(start, count)
    if let frame = try? EthernetFrame(parsing: bytes) { _ = frame.encoded() }
    guard let probe = LLDPProbe(parsing: bytes) else { return 0 }
    let rebuilt = LLDPProbe(parsing: probe.frame.encoded())
    FuzzInput.require(rebuilt == probe, "\(probe) rebuilt reads as \(rebuilt.map { "\($0)" } ?? "nothing")")
    return 0
}
