import NIOCore

/// What libFuzzer hands a harness, as the types the parsers read.
public enum FuzzInput {
    public static func buffer(_ start: UnsafeRawPointer, _ count: Int) -> ByteBuffer {
        ByteBuffer(bytes: UnsafeRawBufferPointer(start: start, count: count))
    }

    public static func text(_ start: UnsafeRawPointer, _ count: Int) -> String {
        String(decoding: UnsafeRawBufferPointer(start: start, count: count), as: UTF8.self)
    }

    /// Stops the run with a finding when a property of the parsers does not hold (libFuzzer
    /// saves the input that did it).
    public static func require(_ condition: Bool, _ property: @autoclosure () -> String) {
        if !condition { fatalError("property violated: \(property())") }
    }
}
