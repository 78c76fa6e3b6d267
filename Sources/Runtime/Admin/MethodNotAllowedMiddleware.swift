import Hummingbird
import NIOConcurrencyHelpers

/// Answers 405 with an `Allow` header, not the router's 404, when a path exists but not with
/// the request's method, as HTTP asks (RFC 9110 §15.5.6). The paths are read off the router
/// once every route is added (`record(_:)`).
struct MethodNotAllowedMiddleware<Context: RequestContext>: RouterMiddleware {
    private let table = NIOLockedValueBox<[(path: RouterPath, methods: Set<HTTPRequest.Method>)]>([])

    func record(_ router: Router<Context>) {
        var byPath: [String: (RouterPath, Set<HTTPRequest.Method>)] = [:]
        for route in router.routes {
            byPath["\(route.path)", default: (route.path, [])].1.insert(route.method)
        }
        table.withLockedValue { $0 = byPath.values.map { (path: $0.0, methods: $0.1) } }
    }

    func handle(
        _ request: Request, context: Context, next: (Request, Context) async throws -> Response
    ) async throws -> Response {
        let segments = request.uri.path.split(separator: "/")
        let allowed = table.withLockedValue { table in
            table.first { Self.path($0.path, matches: segments) }?.methods
        }
        // The router answers HEAD wherever it answers GET (`autoGenerateHeadEndpoints`).
        guard let allowed, !allowed.contains(request.method), !(request.method == .head && allowed.contains(.get))
        else {
            return try await next(request, context)
        }
        let methods = allowed.map(\.rawValue).sorted().joined(separator: ", ")
        var response = Response(status: .methodNotAllowed)
        response.headers[.allow] = methods
        return response
    }

    private static func path(_ path: RouterPath, matches segments: [Substring]) -> Bool {
        guard path.components.count == segments.count else { return false }
        // Only plain names and `:captures` are used for the admin routes.
        return zip(path.components, segments).allSatisfy { component, segment in
            let text = component.description
            return text.hasPrefix(":") || text.hasPrefix("{") || text == segment
        }
    }
}
