import FuzzSupport
import NIOCore
import OpenFlow
import UnitProtocol

/// Bytes as another unit sends them on a unit channel: frames, each read as a pack of unit
/// messages as an established channel reads it, and as one unit message in a vendor message as
/// the handshake reads it. A unit message that parses must come back the same from its own
/// encoding.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzUnitProtocol(_ start: UnsafeRawPointer, _ count: Int) -> CInt {
    var stream = FuzzInput.buffer(start, count)
    var splitter = OpenFlowFrameSplitter()
    while let frame = try? splitter.next(from: &stream) {
        if var pack = try? UnitMessagePack(frame: frame) {
            while let message = try? pack.next() { roundTrip(message) }
        }
        var reader = frame
        guard let parsed = try? OpenFlowMessage(parsing: &reader), case .vendor(let vendor) = parsed.body,
            let message = try? UnitMessage(parsing: vendor)
        else { continue }
        roundTrip(message)
    }
    return 0
}

private func roundTrip(_ message: UnitMessage) {
    var encoded = message.openFlowMessage(xid: 1).encoded()
    let again: UnitMessage? =
        if let parsed = try? OpenFlowMessage(parsing: &encoded), case .vendor(let vendor) = parsed.body {
            try? UnitMessage(parsing: vendor)
        } else {
            nil
        }
    FuzzInput.require(again == message, "\(message) re-encoded parses as \(again.map { "\($0)" } ?? "an error")")
}
