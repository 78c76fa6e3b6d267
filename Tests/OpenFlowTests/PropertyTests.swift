import NIOCore
import OpenFlow
import PropertyBased
import Testing

@Suite struct PropertyTests {
    @Test func randomMessagesRoundTrip() async {
        await propertyCheck(count: 3000, input: Gen.message) { message in
            var encoded = message.encoded()
            let bytes = encoded
            let decoded = try OpenFlowMessage(parsing: &encoded)
            #expect(decoded == message)
            #expect(decoded.encoded() == bytes)
            #expect(encoded.readableBytes == 0)
        }
    }

    @Test func randomStreamsFrameIdentically() async {
        await propertyCheck(count: 300, input: Gen.message.array(of: 1...8), Gen.int(in: 1...64)) { messages, chunkSize in
            var stream = ByteBuffer()
            for message in messages { message.write(to: &stream) }
            var pending = ByteBuffer()
            var decoded: [OpenFlowMessage] = []
            while stream.readableBytes > 0 {
                var chunk = stream.readSlice(length: min(chunkSize, stream.readableBytes)) ?? ByteBuffer()
                pending.writeBuffer(&chunk)
                while var frame = try OpenFlowFrameDecoder.nextFrame(from: &pending, maximumLength: OpenFlowHeader.maximumLength) {
                    decoded.append(try OpenFlowMessage(parsing: &frame))
                }
            }
            #expect(decoded == messages)
            #expect(pending.readableBytes == 0)
        }
    }

    /// Random bytes after a valid header: the parser must fail with an error or succeed, and
    /// whatever it accepts must re-encode to bytes it accepts again as the same message.
    @Test func randomBodiesNeverTrap() async {
        let garbage = Generator<(UInt8, [UInt8]), Shrink.None<(UInt8, [UInt8])>> { rng in
            (UInt8.random(in: 0...23, using: &rng), (0..<Int.random(in: 0...200, using: &rng)).map { _ in UInt8.random(in: 0...255, using: &rng) })
        }
        await propertyCheck(count: 5000, input: garbage) { input in
            let (type, body) = input
            var buffer = ByteBuffer(bytes: [1, type, 0, 0, 0, 0, 0, 1] + body)
            buffer.setInteger(UInt16(buffer.readableBytes), at: 2)
            guard let message = try? OpenFlowMessage(parsing: &buffer) else { return }
            var again = message.encoded()
            let reparsed = try OpenFlowMessage(parsing: &again)
            #expect(reparsed == message)
        }
    }
}
