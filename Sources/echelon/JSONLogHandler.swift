import Foundation
import Logging

/// A log line as one JSON object (`echelon run --log-format json`), for log shippers: time,
/// level, label, message, source and the line's metadata.
struct JSONLogHandler: LogHandler {
    let label: String
    var logLevel: Logger.Level = .info
    var metadata: Logger.Metadata = [:]

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        // One write per line, so that lines from several threads never interleave.
        if let line = line(event, at: Date()) { FileHandle.standardError.write(line) }
    }

    /// The event as one JSON object and a newline.
    func line(_ event: LogEvent, at time: Date) -> Data? {
        var fields: [String: String] = [
            "time": time.formatted(Date.ISO8601FormatStyle(includingFractionalSeconds: true)),
            "level": event.level.rawValue, "label": label, "message": "\(event.message)", "source": event.source,
        ]
        if let error = event.error { fields["error"] = "\(error)" }
        let all = metadata.merging(event.metadata ?? [:]) { _, line in line }
        for (key, value) in all where fields[key] == nil { fields[key] = "\(value)" }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        guard var line = try? encoder.encode(fields) else { return nil }
        line.append(0x0a)
        return line
    }
}
