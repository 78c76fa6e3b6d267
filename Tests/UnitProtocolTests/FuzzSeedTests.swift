import Foundation
import NIOCore
import Testing
import UnitProtocol

/// The unit protocol fuzzer's seeds (Fuzz/Corpus/FuzzUnitProtocol) are the sample messages,
/// each alone and all in one pack, encoded as a unit channel carries them. Checked here so that
/// a change of the wire format cannot leave the fuzzer starting from stale bytes; with
/// ECHELON_WRITE_FUZZ_SEEDS=1 the test writes them anew instead.
@Suite struct FuzzSeedTests {
    static let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("../../Fuzz/Corpus/FuzzUnitProtocol").standardized

    static var seeds: [(name: String, bytes: [UInt8])] {
        var seeds = SampleUnitMessages.all.map { name, message in
            (
                name.replacingOccurrences(of: ", ", with: "-").replacingOccurrences(of: " ", with: "-"),
                Array(message.openFlowMessage(xid: 1).encoded().readableBytesView)
            )
        }
        let pack = UnitMessagePackTests.packed(SampleUnitMessages.all.map(\.1))
        seeds.append(("all-in-one-pack", Array(pack.readableBytesView)))
        return seeds
    }

    @Test func theSeedsAreTheSampleMessagesAsTheyAreEncodedNow() throws {
        let write = ProcessInfo.processInfo.environment["ECHELON_WRITE_FUZZ_SEEDS"] == "1"
        if write { try FileManager.default.createDirectory(at: Self.folder, withIntermediateDirectories: true) }
        for (name, bytes) in Self.seeds {
            let file = Self.folder.appendingPathComponent(name)
            if write { try Data(bytes).write(to: file) }
            let stored = try? Data(contentsOf: file)
            #expect(
                stored == Data(bytes),
                "Fuzz/Corpus/FuzzUnitProtocol/\(name) is stale: ECHELON_WRITE_FUZZ_SEEDS=1 swift test --filter FuzzSeedTests"
            )
        }
    }
}
