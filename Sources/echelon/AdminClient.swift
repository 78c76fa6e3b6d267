import ArgumentParser
import ConfigurationFiles
import Foundation
import NIOCore
import NIOHTTP1
import NIOPosix
import NIOSSL
import Runtime

/// Reads a running unit's admin API (`GET /routes`, `/units`, `/status`) with SwiftNIO's HTTP/1
/// codec. (URLSession would link libcurl and its TLS stack into the `echelon` binary, which is
/// also the unit, and cost every running unit about 5 MiB of resident memory.)
struct AdminClient {
    let authority: String
    /// The unit's admin token (`admin.token`), sent as `Authorization: Bearer`; nil: none.
    var token: String? = AdminClient.environmentToken
    /// HTTPS with this client certificate, for an admin API with `admin.tls`; nil: plain HTTP.
    var tls: AdminClientTLS? = nil

    /// The token in `ECHELON_ADMIN_TOKEN`, the same for every unit of a control plane.
    static var environmentToken: String? { environment("ECHELON_ADMIN_TOKEN") }

    /// An environment variable's value, unless it is unset or empty.
    static func environment(_ name: String) -> String? {
        ProcessInfo.processInfo.environment[name].flatMap { $0.isEmpty ? nil : $0 }
    }

    func get<T: Decodable>(_ path: String, as type: T.Type) async throws -> T {
        guard let colon = authority.lastIndex(of: ":"), let port = Int(authority[authority.index(after: colon)...])
        else {
            throw ValidationError("--unit must be host:port, got \"\(authority)\"")
        }
        let host = String(authority[..<colon]).trimmingCharacters(in: CharacterSet(charactersIn: "[]"))
        let (status, body): (Int, ByteBuffer)
        do {
            (status, body) = try await Self.fetch(host: host, port: port, path: "/" + path, token: token, tls: tls)
        } catch  where error is NIOSSLError || error is BoringSSLError {
            throw AdminClientError(
                "cannot read the unit's admin API at \(authority) over HTTPS: \(describeTLSFailure(error, plainHint: "if the unit has no admin.tls, leave out --ca, --cert and --key"))"
            )
        } catch let error as AdminClientError where tls == nil {
            // An HTTPS API drops a plain request without a word.
            throw AdminClientError(
                "cannot read /\(path) from the unit at \(authority): \(error) (if its admin API has admin.tls, give --ca, --cert and --key: `echelon certs issue-admin NAME` makes them)"
            )
        } catch {
            throw AdminClientError(
                "cannot reach the unit's admin API at \(authority): \(describeConnectionFailure(error)) (is the unit running, and is this its admin.listen address?)"
            )
        }
        if status == 401 {
            throw AdminClientError(
                token == nil
                    ? "the unit at \(authority) wants its admin token: give --token-file FILE, or set ECHELON_ADMIN_TOKEN"
                    : "the unit at \(authority) refused the admin token given")
        }
        guard status == 200 else {
            // Hummingbird's errors come as {"error": {"message": ...}}.
            let error = try? JSONDecoder().decode([String: [String: String]].self, from: Data(body.readableBytesView))
            let reason = error?["error"]?["message"].map { ": \($0)" } ?? ""
            throw AdminClientError("the unit at \(authority) answered /\(path) with HTTP \(status)\(reason)")
        }
        do {
            return try JSONDecoder().decode(T.self, from: Data(body.readableBytesView))
        } catch {
            throw AdminClientError(
                "the unit at \(authority) sent an answer to /\(path) this echelon cannot read: \(error)")
        }
    }

    private static func fetch(
        host: String, port: Int, path: String, token: String?, tls: AdminClientTLS?
    ) async throws -> (Int, ByteBuffer) {
        let group = MultiThreadedEventLoopGroup.singleton
        let response = group.next().makePromise(of: (Int, ByteBuffer).self)
        let channel: any Channel
        do {
            channel = try await ClientBootstrap(group: group)
                .connectTimeout(.seconds(3))
                .channelInitializer { channel in
                    channel.eventLoop.makeCompletedFuture {
                        if let tls { try channel.pipeline.syncOperations.addHandler(try tls.handler()) }
                        try channel.pipeline.syncOperations.addHTTPClientHandlers()
                        try channel.pipeline.syncOperations.addHandler(ResponseCollector(promise: response))
                    }
                }
                .connect(host: host, port: port)
                .get()
        } catch {
            // A unit that does not accept in time (its listen queue full) must not leave the
            // promise unfulfilled: NIO treats that as a bug.
            response.fail(error)
            throw error
        }
        var head = HTTPRequestHead(version: .http1_1, method: .GET, uri: path)
        head.headers.add(name: "Host", value: "\(host):\(port)")
        head.headers.add(name: "Connection", value: "close")
        if let token { head.headers.add(name: "Authorization", value: "Bearer \(token)") }
        channel.write(HTTPClientRequestPart.head(head), promise: nil)
        try await channel.writeAndFlush(HTTPClientRequestPart.end(nil)).get()
        defer { channel.close(promise: nil) }
        return try await response.futureResult.get()
    }
}

/// Gathers one HTTP response's status and body.
private final class ResponseCollector: ChannelInboundHandler {
    typealias InboundIn = HTTPClientResponsePart

    private let promise: EventLoopPromise<(Int, ByteBuffer)>
    private var status = 0
    private var body = ByteBuffer()

    init(promise: EventLoopPromise<(Int, ByteBuffer)>) { self.promise = promise }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let head): status = Int(head.status.code)
        case .body(var part): body.writeBuffer(&part)
        case .end: promise.succeed((status, body))
        }
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        promise.fail(error)
        context.close(promise: nil)
    }

    func channelInactive(context: ChannelHandlerContext) {
        promise.fail(AdminClientError("the connection closed before the answer was complete"))
    }
}

/// What `echelon` presents to an admin API with `admin.tls`: an admin client's certificate and
/// key, and the control plane's CA, which the unit's certificate must chain to. Unit
/// certificates name UIDs, not host names, so no host name is checked; only a unit's
/// certificate is good for serving (its extended key usage), not a switch's or an admin's.
struct AdminClientTLS {
    let context: NIOSSLContext

    init(ca: String, certificate: String, key: String) throws {
        var configuration = TLSConfiguration.makeClientConfiguration()
        do {
            configuration.trustRoots = .certificates(try NIOSSLCertificate.fromPEMFile(ca))
        } catch {
            throw ValidationError("--ca: cannot read a PEM certificate from \(ca): \(error)")
        }
        do {
            configuration.certificateChain = try NIOSSLCertificate.fromPEMFile(certificate).map { .certificate($0) }
        } catch {
            throw ValidationError("--cert: cannot read a PEM certificate from \(certificate): \(error)")
        }
        do {
            configuration.privateKey = .privateKey(try NIOSSLPrivateKey(file: key, format: .pem))
        } catch {
            throw ValidationError("--key: cannot read a PEM private key from \(key): \(error)")
        }
        configuration.certificateVerification = .noHostnameVerification
        configuration.minimumTLSVersion = .tlsv12
        do {
            context = try NIOSSLContext(configuration: configuration)
        } catch {
            throw ValidationError("--cert and --key do not make a TLS client: \(error)")
        }
    }

    func handler() throws -> NIOSSLClientHandler {
        try NIOSSLClientHandler(context: context, serverHostname: nil)
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

    @Option(help: "A file holding the unit's admin token (admin.token); default: $ECHELON_ADMIN_TOKEN.")
    var tokenFile: String?

    @Option(help: "For an admin API with admin.tls: the control plane's CA certificate; default: $ECHELON_ADMIN_CA.")
    var ca: String?

    @Option(help: "For admin.tls: this client's certificate (echelon certs issue-admin); default: $ECHELON_ADMIN_CERT.")
    var cert: String?

    @Option(help: "For admin.tls: this client's private key; default: $ECHELON_ADMIN_KEY.")
    var key: String?

    @Flag(help: "Print JSON instead of a table.")
    var json = false

    /// The TLS client, when the three files are given; none of them: plain HTTP.
    func tls() throws -> AdminClientTLS? {
        let files = (
            ca ?? AdminClient.environment("ECHELON_ADMIN_CA"), cert ?? AdminClient.environment("ECHELON_ADMIN_CERT"),
            key ?? AdminClient.environment("ECHELON_ADMIN_KEY")
        )
        switch files {
        case (nil, nil, nil): return nil
        case (let ca?, let cert?, let key?): return try AdminClientTLS(ca: ca, certificate: cert, key: key)
        default: throw ValidationError("HTTPS to the admin API needs all three of --ca, --cert and --key")
        }
    }

    /// The token to send: the file's, else the environment's.
    func token() throws -> String? {
        guard let tokenFile else { return AdminClient.environmentToken }
        guard let token = AdminSettings.token(inFile: tokenFile) else {
            throw ValidationError("--token-file: cannot read \(tokenFile)")
        }
        return token
    }

    /// Reads a list from the unit's admin API and prints it: as JSON with `--json`, else `empty`
    /// when there is nothing, else as `render` lays it out.
    func show<Row: Codable>(_ path: String, as: Row.Type, empty: String, render: ([Row]) -> String) async throws {
        try await show(path, as: [Row].self) { rows in rows.isEmpty ? empty : render(rows) }
    }

    /// Reads one document from the unit's admin API and prints it: as JSON with `--json`, else
    /// as `render` lays it out.
    func show<View: Codable>(_ path: String, as: View.Type, render: (View) -> String) async throws {
        let view = try await AdminClient(authority: unit, token: try token(), tls: try tls()).get(path, as: View.self)
        print(json ? try JSONOutput.encode(view) : render(view))
    }
}

/// Left-aligned columns, as `ovs-ofctl` and friends print them.
enum TextTable {
    static func render(header: [String], rows: [[String]]) -> String {
        let widths = header.indices.map { column in ([header] + rows).map { $0[column].count }.max() ?? 0 }
        return ([header] + rows).map { row in
            row.enumerated().map { $1.padding(toLength: widths[$0], withPad: " ", startingAt: 0) }.joined(
                separator: "  "
            )
            .trimmingCharacters(in: .whitespaces)
        }.joined(separator: "\n")
    }
}
