import Foundation
import Testing

@testable import echelon_bench

@Suite struct BenchReportTests {
    private let measured = Measurement(
        elapsedSeconds: 2, answers: 300,
        latency: .init(p50Microseconds: 1, p90Microseconds: 2, p99Microseconds: 3, maxMicroseconds: 4),
        requestsSent: 400, timeouts: 7, answersPerSwitchPerSecond: [[100, 50], [150, 0]])

    private func keys(_ report: BenchReport) throws -> [String: Any] {
        let object = try JSONSerialization.jsonObject(with: JSONEncoder().encode(report))
        return try #require(object as? [String: Any])
    }

    /// The fields scripts read keep their names; the new figures come as new fields.
    @Test func closedLoopJSON() throws {
        let report = BenchReport(
            measured, mode: "throughput", switches: 2, latency: false, window: 32, requestTimeoutSeconds: 1)
        let json = try keys(report)
        #expect(json["mode"] as? String == "throughput")
        #expect(json["switches"] as? Int == 2)
        #expect(json["answersPerSecond"] as? Double == 150)
        #expect(json["samples"] as? Int == 300)
        #expect(json["complete"] as? Bool == true)
        #expect(json["latency"] == nil)
        #expect(json["openLoop"] as? Bool == false)
        #expect(json["window"] as? Int == 32)
        #expect(json["requestsSent"] as? Int == 400)
        #expect(json["requestsPerSecond"] as? Double == 200)
        #expect(json["timeouts"] as? Int == 7)
        #expect(json["requestTimeoutSeconds"] as? Double == 1)
        let perSecond = try #require(json["perSecond"] as? [String: Any])
        #expect(perSecond["seconds"] as? Int == 2)
        #expect(perSecond["answersPerSecond"] as? Double == 150)
        #expect(perSecond["switchMinimum"] as? Double == 25)
        #expect(perSecond["switchMedian"] as? Double == 75)
        #expect(perSecond["switchMaximum"] as? Double == 125)
        #expect(perSecond["worstSecondRatio"] as? Double == 0)
        #expect(perSecond["worstSecond"] as? Int == 1)
        #expect(perSecond["silentSwitchSeconds"] as? Int == 1)
        #expect(report.text.contains("7 requests given up after 1 s unanswered"))
    }

    @Test func openLoopJSONHasNoWindowTimeoutsOrLatency() throws {
        let report = BenchReport(
            measured, mode: "throughput", switches: 2, latency: false, window: nil, requestTimeoutSeconds: nil)
        let json = try keys(report)
        #expect(json["openLoop"] as? Bool == true)
        #expect(json["window"] == nil && json["timeouts"] == nil && json["requestTimeoutSeconds"] == nil)
        #expect(json["latency"] == nil)
        #expect(json["requestsSent"] as? Int == 400)
        #expect(report.text.contains("(open loop)"))
        #expect(report.text.contains("requests: 400 sent (200/s), 75.0 % answered"))
    }
}
