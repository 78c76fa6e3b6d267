import Foundation

#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// Two real tiers as `topologies/forwarding-at-tier2/` lays them out: tier 2 (u20) hosts
/// forwarding as SID 200 and has every PACKET_IN DIVERTed to it; tier 1 (u11), which the
/// switches connect to, hosts nothing and relays. Every port is a free loopback one, and the
/// two units speak mutual TLS with certificates `echelon certs` made for this pair.
struct ForwardingAtTier2 {
    let tier1: UnitProcess
    let tier2: UnitProcess
    let tier1Admin: Int
    let tier1Switch: Int
    let tier2Admin: Int
    /// The token both admin APIs want, if any.
    let adminToken: String?

    /// `service` is added to forwarding's declaration at tier 2, `dispatch` to tier 1's
    /// configuration (each a JSON fragment, or empty).
    init(service: String = #""timeout": 2"#, tier1Dispatch dispatch: String = "", adminToken: String? = nil) throws {
        try self.init(
            tier2Services: #"[{"service": "forwarding", "sid": 200, "action": "divert", \#(service)}]"#,
            tier1Services: "[]", tier1Dispatch: dispatch, adminToken: adminToken)
    }

    /// Two tiers with the given service lists (JSON arrays) at each; with `adminToken`, both
    /// admin APIs want it.
    init(
        tier2Services: String, tier1Services: String, tier1Dispatch dispatch: String = "", adminToken: String? = nil
    ) throws {
        let token = adminToken.map { #", "token": "\#($0)""# } ?? ""
        let (t2Unit, t2Admin, t2Switch) = (
            try UnitProcess.freePort(), try UnitProcess.freePort(), try UnitProcess.freePort()
        )
        let (t1Unit, t1Admin, t1Switch) = (
            try UnitProcess.freePort(), try UnitProcess.freePort(), try UnitProcess.freePort()
        )
        let pki = FileManager.default.temporaryDirectory.appendingPathComponent("echelon-pki-\(UUID().uuidString)").path
        guard let executable = UnitProcess.executable?.path else {
            throw UnitProcessError("the echelon executable was not built next to the tests")
        }
        for arguments in [["init"], ["issue", "20"], ["issue", "11"]] {
            let made = try runCommand(executable, ["certs"] + arguments + ["--dir", pki])
            guard made.status == 0 else { throw UnitProcessError("echelon certs \(arguments): \(made.output)") }
        }
        func tls(_ uid: Int) -> String {
            #""tls": {"certificate": "\#(pki)/unit-\#(uid).pem", "key": "\#(pki)/unit-\#(uid)-key.pem", "ca": "\#(pki)/ca.pem"}"#
        }
        tier2 = try UnitProcess(
            configuration: """
                {"uid": 20, "name": "tier2", "tier": 2,
                 "switches": {"listen": "127.0.0.1:\(t2Switch)"},
                 "units": {\(tls(20)), "listen": "127.0.0.1:\(t2Unit)", "downstream": [{"name": "tier1", "uid": 11}]},
                 "admin": {"listen": "127.0.0.1:\(t2Admin)"\(token)},
                 "services": \(tier2Services)}
                """, switchPort: t2Switch)
        tier1 = try UnitProcess(
            configuration: """
                {"uid": 11, "name": "tier1", "tier": 1,
                 "switches": {"listen": "127.0.0.1:\(t1Switch)"},
                 "units": {\(tls(11)), "listen": "127.0.0.1:\(t1Unit)", "upstream": [{"name": "tier2", "host": "127.0.0.1", "port": \(t2Unit), "uid": 20}]},
                 "admin": {"listen": "127.0.0.1:\(t1Admin)"\(token)}, "services": \(tier1Services)\(dispatch.isEmpty ? "" : ", \"dispatch\": {\(dispatch)}")}
                """, switchPort: t1Switch)
        self.adminToken = adminToken
        tier1Admin = t1Admin
        tier1Switch = t1Switch
        tier2Admin = t2Admin
    }

    /// Waits until tier 1 has the filter of the service `sid` at tier 2 (the route and its
    /// definition arrived), for at most `seconds`; whether it has.
    func waitForFilter(sid: Int = 200, seconds: Double = 10) async -> Bool {
        struct FilterRow: Decodable { let sid: Int }
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            if let url = URL(string: "http://127.0.0.1:\(tier1Admin)/filters"),
                let (data, _) = try? await URLSession.shared.data(for: Self.request(url, token: adminToken)),
                (try? JSONDecoder().decode([FilterRow].self, from: data))?.map(\.sid) == [sid]
            {
                return true
            }
            try? await Task.sleep(for: .milliseconds(20))
        }
        return false
    }

    static func request(_ url: URL, token: String?) -> URLRequest {
        var request = URLRequest(url: url)
        if let token { request.setValue("Bearer \(token)", forHTTPHeaderField: "Authorization") }
        return request
    }
}

/// A TCP connection to a port on 127.0.0.1, as a blocking socket's descriptor.
enum LoopbackSocket {
    static func connect(port: Int) -> Int32? {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { return nil }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                Glibc.connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0
            }
        }
        guard connected else {
            close(fd)
            return nil
        }
        return fd
    }
}
