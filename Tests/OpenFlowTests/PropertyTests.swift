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

    /// MAC addresses hash through the one-word entry point in sets and dictionaries: equal
    /// addresses must land together and distinct ones stay apart, as through `hash(into:)`.
    @Test func macAddressesHashConsistently() {
        // An odd multiplier is a bijection modulo 2^48: 5,000 distinct, scattered addresses.
        let addresses = (0..<5000).map { MACAddress(rawValue: UInt64($0) &* 0x9e37_79b9_7f4a_7c15) }
        let table = Dictionary(uniqueKeysWithValues: addresses.enumerated().map { ($1, $0) })
        #expect(table.count == addresses.count)
        for (index, address) in addresses.enumerated() {
            #expect(table[MACAddress(rawValue: address.rawValue)] == index)
            #expect(address.hashValue == MACAddress(rawValue: address.rawValue).hashValue)
        }
        let present = Set(addresses.map(\.rawValue))
        for raw in UInt64(1)...500 where !present.contains(raw) {
            #expect(table[MACAddress(rawValue: raw)] == nil)
        }
    }

    @Test func randomStreamsFrameIdentically() async {
        await propertyCheck(count: 300, input: Gen.message.array(of: 1...8), Gen.int(in: 1...64)) {
            messages, chunkSize in
            var stream = ByteBuffer()
            for message in messages { message.write(to: &stream) }
            var pending = ByteBuffer()
            var decoded: [OpenFlowMessage] = []
            while stream.readableBytes > 0 {
                var chunk = stream.readSlice(length: min(chunkSize, stream.readableBytes)) ?? ByteBuffer()
                pending.writeBuffer(&chunk)
                while var frame = try OpenFlowFrameDecoder.nextFrame(
                    from: &pending, maximumLength: OpenFlowHeader.maximumLength)
                {
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
            (
                UInt8.random(in: 0...23, using: &rng),
                (0..<Int.random(in: 0...200, using: &rng)).map { _ in UInt8.random(in: 0...255, using: &rng) }
            )
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
