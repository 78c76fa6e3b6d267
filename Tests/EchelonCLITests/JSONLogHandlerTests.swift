import Foundation
import Logging
import Testing

@testable import echelon

/// `echelon run --log-format json`: one JSON object a line, with the handler's and the line's
/// metadata, for machines to read.
@Suite struct JSONLogHandlerTests {
    @Test func aLineIsOneJSONObjectWithItsMetadata() throws {
        var handler = JSONLogHandler(label: "echelon", logLevel: .info)
        handler[metadataKey: "self"] = "tier1-a"
        let event = LogEvent(
            level: .warning, message: "closing unit channel: \"no\" echo", metadata: ["neighbour": "tier2"],
            source: "Runtime", file: #fileID, function: #function, line: #line)
        let line = try #require(handler.line(event, at: Date(timeIntervalSince1970: 0)))
        #expect(line.last == 0x0a && line.dropLast().contains(0x0a) == false)
        let fields = try #require(try JSONSerialization.jsonObject(with: line) as? [String: String])
        #expect(
            fields == [
                "time": "1970-01-01T00:00:00.000Z", "level": "warning", "label": "echelon",
                "message": "closing unit channel: \"no\" echo", "source": "Runtime", "self": "tier1-a",
                "neighbour": "tier2",
            ])
    }
}
