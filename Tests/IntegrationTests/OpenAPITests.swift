import Foundation
import NIOConcurrencyHelpers
import OpenFlow
import Testing

/// Where schemathesis is, if Scripts/setup installed it.
enum OpenAPIEnvironment {
    static let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("../../Scripts/check-openapi").standardized.path

    static let unavailableReason: String? = {
        guard let found = try? runCommand(script, ["--installed"], timeout: 10), found.status == 0 else {
            return "schemathesis is not installed (Scripts/setup installs it from PyPI)"
        }
        return nil
    }()
}

/// The admin API of a real unit, with a switch connected, against docs/openapi.yaml: every
/// operation with examples schemathesis generates from the document, every check it has.
@Suite(
    .enabled(
        if: OpenAPIEnvironment.unavailableReason == nil, Comment(rawValue: OpenAPIEnvironment.unavailableReason ?? "")))
struct OpenAPITests {
    @Test func theAdminAPIKeepsToItsOpenAPIDocument() throws {
        let (unit, switchPort, adminPort) = try UnitProcess.withAdminAPI(named: "openapi")
        let raw = try RawSwitch(port: switchPort)
        #expect(raw.handshake(dpid: 7))
        let checking = NIOLockedValueBox(true)
        _ = raw.answerInBackground { checking.withLockedValue { $0 } }
        let run = try runCommand(OpenAPIEnvironment.script, ["http://127.0.0.1:\(adminPort)"], timeout: 600)
        checking.withLockedValue { $0 = false }
        let (status, log) = unit.stop()
        #expect(run.status == 0, "schemathesis found the API and its document apart:\n\(run.output)\n\(log)")
        #expect(status == 0, "\(log)")
    }
}

extension RawSwitch {
    /// Answers what the unit asks while a test does something else: flow-stats requests with
    /// one flow, echo requests with their reply. Stops when `running` says so.
    func answerInBackground(while running: @escaping @Sendable () -> Bool) -> Thread {
        nonisolated(unsafe) let connection = self
        let thread = Thread {
            while running() {
                guard let message = connection.receive(timeout: 0.2) else { continue }
                switch message.body {
                case .statsRequest:
                    let flow = FlowStats(match: .all, priority: 1, actions: [.output(port: .flood, maxLength: 0)])
                    connection.send(OpenFlowMessage(xid: message.xid, .statsReply(StatsReply(.flow([flow])))))
                case .echoRequest(let request):
                    connection.send(OpenFlowMessage(xid: message.xid, .echoReply(EchoReply(answering: request))))
                default:
                    break
                }
            }
        }
        thread.start()
        return thread
    }
}
