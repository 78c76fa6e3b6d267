import ArgumentParser
import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// Reads a running unit's admin API (`GET /routes`, `/units`, `/status`).
struct AdminClient {
    let authority: String

    func get<T: Decodable>(_ path: String, as type: T.Type) async throws -> T {
        guard let url = URL(string: "http://\(authority)/\(path)") else {
            throw ValidationError("--unit must be host:port, got \"\(authority)\"")
        }
        let data: Data
        let response: URLResponse
        do {
            (data, response) = try await URLSession.shared.data(from: url)
        } catch {
            throw AdminClientError("cannot reach the unit's admin API at \(authority): \(error.localizedDescription) (is the unit running, and is this its admin.listen address?)")
        }
        guard let status = (response as? HTTPURLResponse)?.statusCode, status == 200 else {
            throw AdminClientError("the unit at \(authority) answered \(path) with HTTP \((response as? HTTPURLResponse)?.statusCode ?? 0)")
        }
        do {
            return try JSONDecoder().decode(T.self, from: data)
        } catch {
            throw AdminClientError("the unit at \(authority) sent an answer to \(path) this echelon cannot read: \(error)")
        }
    }
}

struct AdminClientError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

/// Options every inspection command shares.
struct UnitAddressOptions: ParsableArguments {
    @Option(name: .customLong("unit"), help: "The unit's admin API address (its admin.listen).")
    var unit: String = "127.0.0.1:8644"

    @Flag(help: "Print JSON instead of a table.")
    var json = false
}

/// Left-aligned columns, as `ovs-ofctl` and friends print them.
enum TextTable {
    static func render(header: [String], rows: [[String]]) -> String {
        let widths = header.indices.map { column in ([header] + rows).map { $0[column].count }.max() ?? 0 }
        return ([header] + rows).map { row in
            row.enumerated().map { $1.padding(toLength: widths[$0], withPad: " ", startingAt: 0) }.joined(separator: "  ")
                .trimmingCharacters(in: .whitespaces)
        }.joined(separator: "\n")
    }
}
