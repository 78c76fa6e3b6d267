import ConfigurationFiles
import ControlPlane
import Foundation
import Hummingbird
import NIOCore
import OpenFlow

/// The subset of Floodlight's REST API that operators' scripts use, at Floodlight's paths: the
/// switches, the devices, the links, and the static flow pusher under both its names
/// (`staticflowpusher`, 1.x, and `staticflowentrypusher`, 0.9).
///
/// Bad requests are answered 400 with Floodlight's `{"status" : "..."}` body, naming what is
/// wrong; Floodlight answered 200 and left the reason in its log.
enum FloodlightRoutes {
    static func add(to router: Router<BasicRequestContext>, core: NIOLoopBound<UnitCore>) {
        router.get("wm/core/controller/switches/json") { _, _ -> Response in
            let (registry, sessions) = try await core.eventLoop.submit {
                (core.value.switchRegistry, core.value.sessions)
            }.get()
            let switches = registry.datapathIDs.compactMap { dpid in
                registry.description(of: dpid).map { FloodlightViews.Switch($0, session: sessions[dpid]) }
            }
            return try json(switches)
        }
        for path in ["wm/device", "wm/device/all/json"] {
            router.get(RouterPath(path)) { request, _ -> Response in
                let (tracker, now) = try await core.eventLoop.submit {
                    (core.value.hostTracker, NIODeadline.now())
                }.get()
                let wallClock = Date()
                let query = request.uri.queryParameters
                let devices = tracker.hosts.values.sorted { $0.host.mac < $1.host.mac }
                    .filter { tracked in
                        query["mac"].map { MACAddress(String($0)) == tracked.host.mac } ?? true
                    }
                    .filter { tracked in
                        query["ipv4"].map { IPv4Address(String($0)) == tracked.host.ipv4 } ?? true
                    }
                    .map { FloodlightViews.Device($0, now: now, wallClock: wallClock) }
                return try json(devices)
            }
        }
        router.get("wm/topology/links/json") { _, _ -> Response in
            let topology = try await core.eventLoop.submit { core.value.topologySnapshot.topology }.get()
            return try json(topology.links.map(FloodlightViews.Link.init))
        }
        for (base, legacy) in [("wm/staticflowpusher", false), ("wm/staticflowentrypusher", true)] {
            addStaticFlowPusher(at: base, legacy: legacy, to: router, core: core)
        }
    }

    private static func addStaticFlowPusher(
        at base: String, legacy: Bool, to router: Router<BasicRequestContext>, core: NIOLoopBound<UnitCore>
    ) {
        let push: @Sendable (Request, BasicRequestContext) async throws -> Response = { request, context in
            let body = try await object(request, context: context)
            let flow: StaticFlow
            do {
                flow = try FloodlightFlowRequest.flow(from: body)
            } catch {
                return status("Error! \(error)", .badRequest)
            }
            _ = try await core.eventLoop.submit { core.value.pushStaticFlow(flow) }.get()
            return status("Entry pushed")
        }
        let delete: @Sendable (Request, BasicRequestContext) async throws -> Response = { request, context in
            let body = try await object(request, context: context)
            guard case .string(let name)? = body["name"] else {
                return status("Error deleting entry, no name provided", .badRequest)
            }
            let removed = try await core.eventLoop.submit { core.value.removeStaticFlow(named: name) }.get()
            guard removed != nil else { return status("Error! No entry named \(name)", .notFound) }
            return status("Entry \(name) deleted")
        }
        router.post(RouterPath("\(base)/json"), use: push)
        router.post(RouterPath("\(base)/json/store"), use: push)
        router.delete(RouterPath("\(base)/json"), use: delete)
        router.post(RouterPath("\(base)/json/delete"), use: delete)
        router.get(RouterPath("\(base)/list/:switch/json")) { _, context -> Response in
            let target = try switchParameter(context)
            let flows = try await core.eventLoop.submit { core.value.staticFlows.flows }.get()
                .filter { target == nil || $0.datapathID == target }
            return legacy
                ? try json(FloodlightFlowListing.legacy(flows)) : try json(FloodlightFlowListing.current(flows))
        }
        router.get(RouterPath("\(base)/clear/:switch/json")) { _, context -> Response in
            let target = try switchParameter(context)
            _ = try await core.eventLoop.submit { core.value.clearStaticFlows(on: target) }.get()
            let text =
                target.map { "Deleted all flows for switch \(FloodlightViews.dpid($0))." } ?? "Deleted all flows."
            return status(text)
        }
    }

    /// `all` (nil) or a DPID.
    private static func switchParameter(_ context: BasicRequestContext) throws -> DatapathID? {
        // Captures come percent-encoded: a colon DPID arrives as 00%3A00%3A....
        let raw = try context.parameters.require("switch")
        let text = raw.removingPercentEncoding ?? raw
        if text.lowercased() == "all" { return nil }
        guard let dpid = DatapathID(text) else {
            throw HTTPError(.badRequest, message: "not a switch DPID or \"all\": \(text)")
        }
        return dpid
    }

    /// The request body as a JSON object, or a 400 that says why not.
    private static func object(_ request: Request, context: BasicRequestContext) async throws -> [String: JSONValue] {
        let buffer = try await request.body.collect(upTo: 64 * 1024)
        let value: JSONValue
        do {
            value = try JSONDecoder().decode(JSONValue.self, from: Data(buffer.readableBytesView))
        } catch {
            throw HTTPError(.badRequest, message: "the body is not JSON: \(error.localizedDescription)")
        }
        guard let object = value.objectValue else {
            throw HTTPError(.badRequest, message: "the body is not a JSON object")
        }
        return object
    }

    static func status(_ text: String, _ code: HTTPResponse.Status = .ok) -> Response {
        Response(
            status: code, headers: [.contentType: "application/json"],
            body: ResponseBody(byteBuffer: ByteBuffer(string: FloodlightViews.status(text) + "\n")))
    }

    static func json(_ value: some Encodable) throws -> Response {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        var buffer = ByteBuffer(data: try encoder.encode(value))
        buffer.writeString("\n")
        return Response(
            status: .ok, headers: [.contentType: "application/json"], body: ResponseBody(byteBuffer: buffer))
    }
}
