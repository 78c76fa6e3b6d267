/// Answers per second over the whole seconds of a measurement, in total and per switch, and
/// the second in which the slowest switch fell furthest behind the median one: an average
/// over the run hides switches that went silent, this does not.
struct PerSecondStats: Encodable, Equatable {
    /// Whole seconds measured (a last, partial second is left out).
    var seconds: Int
    /// All switches' answers in those seconds, per second.
    var answersPerSecond: Double
    /// Each switch's answers per second over those seconds: the lowest, the median and the
    /// highest of the switches.
    var switchMinimum: Double
    var switchMedian: Double
    var switchMaximum: Double
    /// The lowest, over the seconds, of (the slowest switch's answers in that second) / (the
    /// median switch's answers in that second); 0 in a second where the median switch had none.
    var worstSecondRatio: Double
    /// Which second that was, from 0 (the first such second if several tie).
    var worstSecond: Int
    /// Switch-seconds without a single answer.
    var silentSwitchSeconds: Int

    /// The figures of `counts[second][switch]`, answers per switch in each whole second; nil
    /// when there is no whole second or no switch, or the rows differ in length.
    static func of(_ counts: [[UInt64]]) -> PerSecondStats? {
        guard let switches = counts.first?.count, switches > 0, counts.allSatisfy({ $0.count == switches }) else {
            return nil
        }
        let seconds = Double(counts.count)
        var perSwitch = [UInt64](repeating: 0, count: switches)
        var worst = (ratio: Double.infinity, second: 0)
        var silent = 0
        for (second, row) in counts.enumerated() {
            for (index, count) in row.enumerated() { perSwitch[index] += count }
            silent += row.count { $0 == 0 }
            let sorted = row.sorted().map(Double.init)
            let median = median(ofSorted: sorted)
            let ratio = median > 0 ? sorted[0] / median : 0
            if ratio < worst.ratio { worst = (ratio, second) }
        }
        let rates = perSwitch.sorted().map { Double($0) / seconds }
        return PerSecondStats(
            seconds: counts.count, answersPerSecond: rates.reduce(0, +), switchMinimum: rates[0],
            switchMedian: median(ofSorted: rates), switchMaximum: rates[rates.count - 1],
            worstSecondRatio: worst.ratio, worstSecond: worst.second, silentSwitchSeconds: silent)
    }

    /// The middle value of a sorted, non-empty array; the mean of the two middle ones when
    /// the count is even.
    static func median(ofSorted values: [Double]) -> Double {
        let middle = values.count / 2
        return values.count % 2 == 1 ? values[middle] : (values[middle - 1] + values[middle]) / 2
    }
}
