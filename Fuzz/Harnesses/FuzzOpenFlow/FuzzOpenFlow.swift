import FuzzSupport
import NIOCore
import OpenFlow

/// Bytes as a switch sends them: split into frames as a switch channel does, each parsed. A
/// message that parses must come back the same from its own encoding.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOpenFlow(_ start: UnsafeRawPointer, _ count: Int) -> CInt {
    var stream = FuzzInput.buffer(start, count)
    var splitter = OpenFlowFrameSplitter()
    while let frame = try? splitter.next(from: &stream) {
        var reader = frame
        guard let message = try? OpenFlowMessage(parsing: &reader) else { continue }
        var encoded = message.encoded()
        let again = try? OpenFlowMessage(parsing: &encoded)
        FuzzInput.require(again == message, "\(message) re-encoded parses as \(again.map { "\($0)" } ?? "an error")")
    }
    return 0
}
