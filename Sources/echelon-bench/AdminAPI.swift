import Foundation

#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// Reads a unit's admin API (`GET /topology`, `/status`): how the benchmarks that need the
/// unit to know the fabric's links first find out that it does. URLSession, which the unit's
/// own binary avoids for its memory, costs a load generator nothing that matters.
struct AdminAPI: Sendable {
    let host: String
    let port: Int

    /// `host:port`; nil if it does not parse.
    init?(_ authority: String) {
        guard let colon = authority.lastIndex(of: ":"), let port = Int(authority[authority.index(after: colon)...]),
            (1...65535).contains(port)
        else { return nil }
        host = String(authority[..<colon]).trimmingCharacters(in: CharacterSet(charactersIn: "[]"))
        self.port = port
    }

    struct Failure: Error, CustomStringConvertible {
        let description: String
    }

    /// The links of the unit's graph, from `/topology` (their ends only).
    struct Topology: Decodable {
        struct Link: Decodable {
            var a: String
            var b: String
        }
        var switches: [String]
        var links: [Link]
    }

    /// What `/status` counts.
    struct Status: Decodable {
        var switches: Int
        var hosts: Int
        /// Link discovery's links, each direction of a cable once.
        var links: Int
    }

    /// Reads `path` and decodes its JSON.
    func get<T: Decodable>(_ path: String, as type: T.Type) async throws -> T {
        let (status, body) = try await fetch(path)
        guard status == 200 else { throw Failure(description: "the unit answered \(path) with HTTP \(status)") }
        return try JSONDecoder().decode(T.self, from: body)
    }

    private func fetch(_ path: String) async throws -> (status: Int, body: Data) {
        guard let url = URL(string: "http://\(host.contains(":") ? "[\(host)]" : host):\(port)\(path)") else {
            throw Failure(description: "no URL for \(host):\(port)\(path)")
        }
        var request = URLRequest(url: url)
        request.timeoutInterval = 3
        let (body, response) = try await URLSession.shared.data(for: request)
        return ((response as? HTTPURLResponse)?.statusCode ?? 0, body)
    }
}
