import Testing

@testable import echelon_bench

@Suite struct PerSecondStatsTests {
    /// Three switches over three seconds; in the second second one switch got nothing.
    @Test func figuresOfThreeSwitchesOverThreeSeconds() throws {
        let stats = try #require(PerSecondStats.of([[10, 20, 30], [0, 20, 40], [10, 10, 10]]))
        #expect(stats.seconds == 3)
        #expect(stats.answersPerSecond == 50)
        // Per switch: 20, 50 and 80 answers in 3 s.
        #expect(stats.switchMinimum == 20.0 / 3)
        #expect(stats.switchMedian == 50.0 / 3)
        #expect(stats.switchMaximum == 80.0 / 3)
        // Per second, slowest / median: 10/20, 0/20, 10/10.
        #expect(stats.worstSecondRatio == 0)
        #expect(stats.worstSecond == 1)
        #expect(stats.silentSwitchSeconds == 1)
    }

    /// With an even number of switches the median is the mean of the middle two.
    @Test func theMedianOfAnEvenNumberOfSwitches() throws {
        let stats = try #require(PerSecondStats.of([[4, 8, 2, 6], [5, 5, 5, 5]]))
        // Per switch: 9, 13, 7 and 11 answers in 2 s.
        #expect(stats.answersPerSecond == 20)
        #expect(stats.switchMinimum == 3.5)
        #expect(stats.switchMedian == 5)
        #expect(stats.switchMaximum == 6.5)
        // First second: 2 against a median of 5; second second: 5 against 5.
        #expect(stats.worstSecondRatio == 0.4)
        #expect(stats.worstSecond == 0)
        #expect(stats.silentSwitchSeconds == 0)
    }

    /// An even load gives a ratio of 1; ties keep the earliest second.
    @Test func anEvenLoad() throws {
        let stats = try #require(PerSecondStats.of([[7, 7], [7, 7], [7, 7]]))
        #expect(stats.worstSecondRatio == 1)
        #expect(stats.worstSecond == 0)
        #expect(stats.switchMinimum == 7 && stats.switchMedian == 7 && stats.switchMaximum == 7)
    }

    /// A second in which the load stopped (all switches silent) is the worst, at 0, though
    /// the average over the run stays high.
    @Test func aSecondWithNoAnswersAtAll() throws {
        let stats = try #require(PerSecondStats.of([[100, 100, 100], [0, 0, 0], [100, 100, 100]]))
        #expect(stats.worstSecondRatio == 0)
        #expect(stats.worstSecond == 1)
        #expect(stats.silentSwitchSeconds == 3)
        #expect(stats.answersPerSecond == 200)
    }

    @Test func oneSwitch() throws {
        let stats = try #require(PerSecondStats.of([[3], [9]]))
        #expect(stats.switchMinimum == 6 && stats.switchMedian == 6 && stats.switchMaximum == 6)
        #expect(stats.worstSecondRatio == 1)
    }

    @Test func noFiguresWithoutAWholeSecondOrASwitch() {
        #expect(PerSecondStats.of([]) == nil)
        #expect(PerSecondStats.of([[], []]) == nil)
        #expect(PerSecondStats.of([[1, 2], [3]]) == nil)
    }
}
