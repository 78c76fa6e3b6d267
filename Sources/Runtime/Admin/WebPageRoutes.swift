import ControlPlane
import Foundation
import Hummingbird
import NIOCore
import ServiceLifecycle
import UnitProtocol

/// The web page (`GET /`) and what it reads: `/ui/state`, the unit's `WebPageState` as JSON,
/// and `/ui/events`, the same as server-sent events, one each time it changes.
///
/// A page served by one unit may follow others (`/?units=host:port,...`): their `/ui/` answers
/// allow any origin. They are the same read-only facts as the rest of the admin API, and need
/// its token where it has one (the page passes it on from its fragment, `#token=`).
enum WebPageRoutes {
    /// How often a stream looks for a change, and how long it stays silent at most (a comment
    /// line then tells proxies and the browser it is alive).
    static let pollInterval = Duration.milliseconds(250)
    static let keepAliveInterval = Duration.seconds(15)

    static func add(
        to router: Router<BasicRequestContext>, neighbours: NIOLoopBound<NeighbourUnits>, core: NIOLoopBound<UnitCore>,
        identity: UnitIdentity
    ) {
        // Only the copies are taken on the unit's loop; the state is built from them here.
        let state: @Sendable () async throws -> WebPageState = {
            let (routing, topology) = try await core.eventLoop.submit {
                (RoutingSnapshot(neighbours.value), core.value.topologySnapshot)
            }.get()
            return WebPageState(identity: identity, routing: routing, topology: topology)
        }
        router.get("/") { _, _ -> Response in
            Response(
                status: .ok, headers: [.contentType: "text/html; charset=utf-8"],
                body: ResponseBody(byteBuffer: ByteBuffer(string: WebPage.html)))
        }
        router.get("ui/state") { _, _ -> Response in
            var response = try FloodlightRoutes.json(try await state())
            response.headers[.accessControlAllowOrigin] = "*"
            return response
        }
        // The preflight a browser sends before reading the stream of another unit with the
        // token in a header (the page's fetch); it carries no credentials and gets none.
        router.on("ui/events", method: .options) { _, _ -> Response in
            Response(
                status: .noContent,
                headers: [
                    .accessControlAllowOrigin: "*", .accessControlAllowHeaders: "Authorization",
                    .accessControlAllowMethods: "GET",
                ])
        }
        router.get("ui/events") { _, _ -> Response in
            let body = ResponseBody { writer in
                let encoder = JSONEncoder()
                encoder.outputFormatting = .sortedKeys
                var sent: WebPageState?
                var lastWrite = ContinuousClock.now
                // Ends when the client goes (the write fails) or the unit stops.
                while !Task.isCancelled, !Task.isShuttingDownGracefully {
                    let now = try await state()
                    if now != sent {
                        let data = try encoder.encode(now)
                        try await writer.write(
                            ByteBuffer(string: "data: " + String(decoding: data, as: UTF8.self) + "\n\n"))
                        sent = now
                        lastWrite = .now
                    } else if ContinuousClock.now - lastWrite > keepAliveInterval {
                        try await writer.write(ByteBuffer(string: ": still here\n\n"))
                        lastWrite = .now
                    }
                    try await Task.sleep(for: pollInterval)
                }
                try await writer.finish(nil)
            }
            return Response(
                status: .ok,
                headers: [
                    .contentType: "text/event-stream", .cacheControl: "no-cache", .accessControlAllowOrigin: "*",
                ], body: body)
        }
    }
}
