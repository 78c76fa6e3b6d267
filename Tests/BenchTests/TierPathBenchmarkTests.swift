import NIOCore
import OpenFlow
import Testing

@testable import echelon_bench

@Suite struct TierPathBenchmarkTests {
    /// The benchmark stops with an error unless, in every round, the two tiers answer the
    /// switches with the single unit's messages byte for byte (but for xids); a short run must
    /// finish and give a figure for each part.
    @Test func twoTiersAnswerAsTheSingleUnitDoes() throws {
        let result = try TierPathBenchmark.run(switches: 3, macs: 20, window: 4, duration: 0.05)
        #expect(result.events >= 3 * 4)
        #expect(result.localNanosecondsPerEvent > 0)
        #expect(
            result.tier1EventNanosecondsPerEvent > 0 && result.tier1ReturnNanosecondsPerEvent > 0
                && result.tier2NanosecondsPerEvent > 0)
        // The share is what its parts give; how large it is is a timing, for the benchmark to
        // report and no test to assert (a busy machine moves it past 1).
        let tiers =
            result.tier1EventNanosecondsPerEvent + result.tier1ReturnNanosecondsPerEvent
            + result.tier2NanosecondsPerEvent
        #expect(abs(result.localShareOfTwoTiers - 2 * result.localNanosecondsPerEvent / tiers) < 1e-9)
    }

    @Test func comparingAnswersIgnoresOnlyXIDs() {
        let first = OpenFlowMessage(xid: 1, .barrierRequest(BarrierRequest())).encoded()
        let renumbered = OpenFlowMessage(xid: 7, .barrierRequest(BarrierRequest())).encoded()
        let other = OpenFlowMessage(xid: 1, .echoRequest(EchoRequest())).encoded()
        #expect(TierPathBenchmark.sameButXIDs(first, renumbered))
        #expect(!TierPathBenchmark.sameButXIDs(first, other))
        var two = first
        two.writeImmutableBuffer(renumbered)
        #expect(!TierPathBenchmark.sameButXIDs(first, two))
    }
}
