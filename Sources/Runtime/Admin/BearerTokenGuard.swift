import Crypto
import Foundation
import Hummingbird
import Logging
import NIOConcurrencyHelpers
import NIOCore

/// Requires `Authorization: Bearer TOKEN` on every request but the web page itself (`GET /`,
/// which holds no data and reads the token from its own URL's fragment) and the CORS preflight
/// of its event stream (browsers send preflights without credentials). The token is compared
/// through its SHA-256 digest, whose comparison takes the same time wherever two digests
/// differ, so the time of an answer tells nothing of how much of a guess was right. A refused
/// request is answered 401 and logged without what it sent, at most once a second per reason.
struct BearerTokenGuard<Context: RequestContext>: RouterMiddleware {
    private let expected: SHA256.Digest
    private let refusals = NIOLockedValueBox(RejectionLog())
    private let logger: Logger

    init(token: String, logger: Logger) {
        self.expected = SHA256.hash(data: Data(token.utf8))
        self.logger = logger
    }

    func handle(
        _ request: Request, context: Context, next: (Request, Context) async throws -> Response
    ) async throws -> Response {
        if Self.isOpen(request) { return try await next(request, context) }
        let reason: String
        if let given = Self.bearer(in: request) {
            if SHA256.hash(data: Data(given.utf8)) == expected { return try await next(request, context) }
            reason = "a wrong bearer token"
        } else {
            reason = "no bearer token"
        }
        let suppressed = refusals.withLockedValue { $0.shouldLog(reason, now: .now()) }
        if let suppressed {
            logger.warning(
                "admin API: refused \(request.method) \(request.uri.path): \(reason)",
                metadata: suppressed > 0 ? ["refusedSinceLastLine": "\(suppressed)"] : [:])
        }
        var response = Response(status: .unauthorized)
        response.headers[.wwwAuthenticate] = #"Bearer realm="echelon""#
        return response
    }

    /// The web page's HTML, and a preflight.
    static func isOpen(_ request: Request) -> Bool {
        (request.method == .get || request.method == .head) && request.uri.path == "/"
            || request.method == .options
    }

    /// The token of an `Authorization: Bearer` header, if there is one.
    static func bearer(in request: Request) -> String? {
        guard let value = request.headers[.authorization] else { return nil }
        let parts = value.split(separator: " ", maxSplits: 1)
        guard parts.count == 2, parts[0].lowercased() == "bearer" else { return nil }
        return parts[1].trimmingCharacters(in: .whitespaces)
    }
}
