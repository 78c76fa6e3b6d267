import Foundation
import Testing

#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// The admin API has no authentication yet: a request that changes something and comes from
/// another site's page in a browser is refused, while scripts (no Origin) are served.
@Suite struct CrossSiteRequestTests {
    static func request(
        _ method: String, _ url: String, body: String? = nil, headers: [String: String] = [:]
    )
        async throws -> (Int, String)
    {
        var request = URLRequest(url: try #require(URL(string: url)))
        request.httpMethod = method
        request.httpBody = body.map { Data($0.utf8) }
        for (name, value) in headers { request.setValue(value, forHTTPHeaderField: name) }
        let (data, response) = try await URLSession.shared.data(for: request)
        return ((response as? HTTPURLResponse)?.statusCode ?? 0, String(decoding: data, as: UTF8.self))
    }

    @Test func anotherSitesPageCannotPushOrClearStaticFlows() async throws {
        let (unit, _, adminPort) = try UnitProcess.withAdminAPI(named: "crosssite")
        let base = "http://127.0.0.1:\(adminPort)"
        let flow = #"{"switch":"00:00:00:00:00:00:00:01","name":"f","src-ip":"10.0.0.1"}"#
        let forged = try await Self.request(
            "POST", base + "/wm/staticflowpusher/json", body: flow, headers: ["Origin": "http://evil.example"])
        #expect(forged.0 == 403 && forged.1.contains("another site's page"), "\(forged)")
        let script = try await Self.request("POST", base + "/wm/staticflowpusher/json", body: flow)
        #expect(script.0 == 200, "\(script)")
        let sameSite = try await Self.request(
            "POST", base + "/wm/staticflowpusher/json", body: flow, headers: ["Origin": base])
        #expect(sameSite.0 == 200, "\(sameSite)")
        let clear = try await Self.request(
            "GET", base + "/wm/staticflowpusher/clear/all/json", headers: ["Sec-Fetch-Site": "cross-site"])
        #expect(clear.0 == 403, "\(clear)")
        let listed = try await Self.request("GET", base + "/wm/staticflowpusher/list/all/json")
        #expect(listed.1.contains(#""f""#), "the flow is still there: \(listed)")
        let (status, _) = unit.stop()
        #expect(status == 0)
    }
}
