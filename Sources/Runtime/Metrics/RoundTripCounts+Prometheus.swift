import ControlPlane
import Prometheus

extension RoundTripCounts {
    static let metricName = "echelon_divert_round_trip_seconds"

    /// The counts as a Prometheus histogram, with its TYPE line: cumulative buckets, the sum in
    /// seconds and the count, written as swift-prometheus writes its own (whose histogram
    /// cannot take counts kept elsewhere).
    func emit(into buffer: inout [UInt8]) {
        let name = Self.metricName
        var text = "# TYPE \(name) histogram\n"
        var cumulative = 0
        for (bound, inBucket) in zip(Self.bounds, counts) {
            cumulative += inBucket
            text += "\(name)_bucket{le=\"\(Duration.nanoseconds(bound).bucketRepresentation)\"} \(cumulative)\n"
        }
        text += "\(name)_bucket{le=\"+Inf\"} \(count)\n"
        text += "\(name)_sum \(Duration.nanoseconds(sumNanoseconds).bucketRepresentation)\n"
        text += "\(name)_count \(count)\n"
        buffer.append(contentsOf: text.utf8)
    }
}
