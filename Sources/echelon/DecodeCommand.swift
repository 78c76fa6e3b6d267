import ArgumentParser
import Foundation
import NIOCore
import OpenFlow
import Packets
import UnitProtocol

/// `echelon decode`: reads OpenFlow bytes and prints each message, in the spirit of
/// `ovs-ofctl ofp-print`.
struct DecodeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "decode",
        abstract: "Decode OpenFlow 1.0 messages from hex or a raw capture.",
        discussion: """
            Reads hex from the arguments, or from standard input when there are none, or raw bytes \
            from --file. Whitespace, colons and a leading 0x are ignored in hex. Several messages \
            back to back are decoded in turn. A malformed message prints its error, naming the \
            field and its offset, and the exit status is 1.
            """
    )

    @Argument(help: "OpenFlow message bytes in hex (default: read hex from standard input).")
    var hex: [String] = []

    @Option(name: .shortAndLong, help: "Read raw (binary) bytes from this file instead.")
    var file: String?

    @Flag(help: "Print machine-readable JSON.")
    var json = false

    @Option(help: "Reject messages longer than this many bytes.")
    var maxLength = OpenFlowHeader.maximumLength

    func run() throws {
        var input = try readInput()
        var decoder = MessageStreamDecoder(maximumLength: maxLength)
        let results = decoder.decode(&input)
        let output = json ? try DecodeOutput.json(results) : DecodeOutput.text(results)
        print(output)
        if results.contains(where: { if case .failure = $0.result { true } else { false } }) {
            throw ExitCode.failure
        }
    }

    private func readInput() throws -> ByteBuffer {
        if let file {
            guard let data = FileManager.default.contents(atPath: file) else {
                throw ValidationError("cannot read \(file)")
            }
            return ByteBuffer(bytes: data)
        }
        let text =
            hex.isEmpty
            ? String(decoding: FileHandle.standardInput.readDataToEndOfFile(), as: UTF8.self)
            : hex.joined(separator: " ")
        return try HexInput.parse(text)
    }
}

/// Turns the hex people paste (from captures, logs or ofp-print) into bytes.
enum HexInput {
    static func parse(_ text: String) throws -> ByteBuffer {
        let cleaned =
            text
            .split(whereSeparator: { $0.isWhitespace || $0 == ":" || $0 == "," })
            .map { $0.hasPrefix("0x") || $0.hasPrefix("0X") ? $0.dropFirst(2) : $0[...] }
            .joined()
        guard !cleaned.isEmpty else { throw ValidationError("no input: give hex bytes, pipe them in, or use --file") }
        guard cleaned.count % 2 == 0 else {
            throw ValidationError("hex input has an odd number of digits (\(cleaned.count))")
        }
        do {
            return try ByteBuffer(plainHexEncodedBytes: cleaned)
        } catch {
            let bad = cleaned.first { !$0.isHexDigit }.map { " ('\($0)')" } ?? ""
            throw ValidationError("input is not hex\(bad)")
        }
    }
}

/// One message's outcome, with where it started in the input.
struct DecodedMessage {
    let streamOffset: Int
    let result: Result<OpenFlowMessage, WireError>
    /// The unit-protocol messages an Echelon VENDOR message carries (several when packed).
    var unitMessages: [UnitMessage] = []

    /// The unit message, when the VENDOR message carries exactly one.
    var unitMessage: UnitMessage? { unitMessages.count == 1 ? unitMessages.first : nil }

    /// Reads the unit messages inside an Echelon VENDOR message; a malformed one makes the whole
    /// message an error, as it would be on a unit channel.
    init(streamOffset: Int, result: Result<OpenFlowMessage, WireError>) {
        self.streamOffset = streamOffset
        guard case .success(let message) = result, case .vendor(let vendor) = message.body,
            UnitMessage.isEchelon(vendor)
        else {
            self.result = result
            return
        }
        do {
            var pack = try UnitMessagePack(parsing: vendor)
            unitMessages = try pack.readAll()
            self.result = result
        } catch {
            self.result = .failure(error)
        }
    }
}

/// Walks a byte stream message by message. A body that fails to parse is reported and
/// skipped (its length is trustworthy); a header whose length is not ends the walk, as it
/// would end a connection.
struct MessageStreamDecoder {
    let maximumLength: Int

    mutating func decode(_ input: inout ByteBuffer) -> [DecodedMessage] {
        var results: [DecodedMessage] = []
        let start = input.readerIndex
        while input.readableBytes > 0 {
            let offset = input.readerIndex - start
            do {
                guard var frame = try OpenFlowFrameDecoder.nextFrame(from: &input, maximumLength: maximumLength) else {
                    // Fewer bytes than the header, or than the header's length, remain.
                    var rest = input
                    _ = input.readSlice(length: input.readableBytes)
                    results.append(
                        DecodedMessage(
                            streamOffset: offset,
                            result: Result { () throws(WireError) in try OpenFlowMessage(parsing: &rest) }))
                    continue
                }
                results.append(
                    DecodedMessage(
                        streamOffset: offset,
                        result: Result { () throws(WireError) in try OpenFlowMessage(parsing: &frame) }))
            } catch {
                results.append(DecodedMessage(streamOffset: offset, result: .failure(error)))
                break
            }
        }
        return results
    }
}

enum DecodeOutput {
    static func text(_ results: [DecodedMessage]) -> String {
        results.map { decoded in
            switch decoded.result {
            case .success(let message):
                return message.description + packetSummary(message).map { "\n" + $0 }.joined()
                    + decoded.unitMessages.map { "\n" + $0.description }.joined()
            case .failure(let error):
                let position = decoded.streamOffset == 0 ? "" : " (message at input offset \(decoded.streamOffset))"
                return "error: \(error)\(position)"
            }
        }.joined(separator: "\n")
    }

    /// The flow fields of the frame a PACKET_IN or PACKET_OUT carries, as ofp-print shows them.
    static func packetSummary(_ message: OpenFlowMessage) -> [String] {
        switch message.body {
        case .packetIn(let packetIn) where packetIn.data.readableBytes > 0:
            return [Match(extractingFrom: packetIn.data, inPort: packetIn.inPort).description]
        case .packetOut(let packetOut) where packetOut.data.readableBytes > 0:
            return [Match(extractingFrom: packetOut.data, inPort: packetOut.inPort).description]
        default:
            return []
        }
    }

    struct JSONError: Encodable {
        let field: String
        let offset: Int
        let inputOffset: Int
        let reason: String
    }

    struct JSONEntry: Encodable {
        var message: OpenFlowMessage?
        var unitMessage: UnitMessage?
        /// When the VENDOR message packs several.
        var unitMessages: [UnitMessage]?
        var error: JSONError?
    }

    static func json(_ results: [DecodedMessage]) throws -> String {
        let entries = results.map { decoded in
            switch decoded.result {
            case .success(let message):
                return JSONEntry(
                    message: message, unitMessage: decoded.unitMessage,
                    unitMessages: decoded.unitMessages.count > 1 ? decoded.unitMessages : nil)
            case .failure(let error):
                return JSONEntry(
                    error: JSONError(
                        field: error.field, offset: error.offset, inputOffset: decoded.streamOffset + error.offset,
                        reason: error.reasonDescription))
            }
        }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return String(decoding: try encoder.encode(entries), as: UTF8.self)
    }
}
