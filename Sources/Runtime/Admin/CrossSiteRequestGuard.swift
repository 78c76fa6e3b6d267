import Hummingbird

/// Refuses requests that change something (anything but GET, HEAD and a CORS preflight's OPTIONS, and the static flow
/// pusher's `clear`, a GET in Floodlight's API) when a browser sends them from another site's
/// page: their `Origin` names a site other than the admin API's own
/// address, or `Sec-Fetch-Site` says cross-site. On loopback the admin API may have no token,
/// and a form on any web page the operator opens could otherwise push or clear static flows
/// (CSRF). Scripts (curl, Python) send neither header and are served as before.
struct CrossSiteRequestGuard<Context: RequestContext>: RouterMiddleware {
    func handle(
        _ request: Request, context: Context, next: (Request, Context) async throws -> Response
    ) async throws -> Response {
        let reads: Set<HTTPRequest.Method> = [.get, .head, .options]
        let changes = !reads.contains(request.method) || request.uri.path.contains("/clear/")
        guard changes else { return try await next(request, context) }
        if request.headers.contains(where: { $0.name.canonicalName == "sec-fetch-site" && $0.value == "cross-site" }) {
            throw HTTPError(
                .forbidden, message: "refused: a request from another site's page (Sec-Fetch-Site: cross-site)")
        }
        if let origin = request.headers[.origin], let authority = request.head.authority {
            let host = origin.split(separator: "://", maxSplits: 1).last.map(String.init) ?? origin
            guard host == authority else {
                throw HTTPError(
                    .forbidden,
                    message: "refused: a request from another site's page (Origin \(origin), not \(authority))")
            }
        }
        return try await next(request, context)
    }
}
