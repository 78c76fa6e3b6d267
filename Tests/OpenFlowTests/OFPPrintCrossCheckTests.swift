import Foundation
import NIOCore
import OpenFlow
import TestSupport
import Testing

/// Runs Open vSwitch's own decoder, `ovs-ofctl ofp-print`, over our encodings: an independent
/// check that what we write is what the specification (as Open vSwitch reads it) says.
enum OFPPrint {
    static let path = ["/usr/bin/ovs-ofctl", "/usr/local/bin/ovs-ofctl"].first {
        FileManager.default.isExecutableFile(atPath: $0)
    }

    static func decode(_ bytes: ByteBuffer) throws -> String {
        try ChildProcess.run(path ?? "/usr/bin/ovs-ofctl", ["ofp-print", bytes.hexDump(format: .compact)], timeout: 30)
            .output
    }

    /// ofp-print's output without Open vSwitch's informational log lines (for example the note
    /// that it ignores an OFPQT_NONE queue property); warnings and errors are kept, so they fail.
    static func decodeIgnoringInfo(_ bytes: ByteBuffer) throws -> String {
        try decode(bytes).split(separator: "\n", omittingEmptySubsequences: false)
            .filter { !($0.contains("|INFO|") || $0.contains("|DBG|")) }
            .joined(separator: "\n")
    }
}

@Suite(.enabled(if: OFPPrint.path != nil, "ovs-ofctl is not installed: run Scripts/setup"))
struct OFPPrintCrossCheckTests {
    /// Vendor payloads in the samples are arbitrary bytes, which ovs-ofctl rightly cannot decode.
    static let checked = SampleMessages.all.filter { name, message in
        switch message.body {
        case .vendor: return false
        case .statsRequest(let request): if case .vendor = request.body { return false }
        case .statsReply(let reply): if case .vendor = reply.body { return false }
        case .flowMod(let flowMod):
            return !flowMod.actions.contains { $0.type == .vendor } && !flowMod.flags.contains(.emergency)
        default: break
        }
        return true
    }.map(\.0)

    @Test(arguments: checked)
    func openVSwitchDecodesOurEncoding(name: String) throws {
        let message = try #require(SampleMessages.all.first { $0.0 == name }?.1)
        let printed = try OFPPrint.decodeIgnoringInfo(message.encoded())
        #expect(!printed.contains("|WARN|") && !printed.contains("|ERR|"), "\(printed)")
        #expect(!printed.contains("***"), "ovs-ofctl reported a decode problem:\n\(printed)")
        #expect(!printed.contains("decode error"), "\(printed)")
        let expectedWord: String =
            switch message.body {
            case .statsRequest(let request): request.type.description
            case .statsReply(let reply): reply.type.description
            default: message.type.description
            }
        #expect(printed.hasPrefix(expectedWord), "\(printed)")
        #expect(printed.contains("xid=0x\(String(message.xid, radix: 16))"), "\(printed)")
    }

    @Test func openVSwitchReadsOurMatchTheSameWay() throws {
        let flowMod = OpenFlowMessage(
            xid: 1,
            .flowMod(FlowMod(match: SampleMessages.fullMatch, actions: [.output(port: PortNumber(2), maxLength: 0)])))
        let printed = try OFPPrint.decode(flowMod.encoded())
        for field in [
            "in_port=3", "dl_vlan=100", "dl_vlan_pcp=5", "dl_src=00:00:00:00:00:01", "dl_dst=00:00:00:00:00:02",
            "nw_src=10.0.0.0/24", "nw_dst=10.0.0.2", "nw_tos=40", "tp_src=5555", "tp_dst=80", "actions=output:2",
        ] {
            #expect(printed.contains(field), "missing \(field) in:\n\(printed)")
        }
    }

    @Test func openVSwitchReadsEveryAction() throws {
        let actions = SampleMessages.everyAction.filter { $0.type != .vendor }
        let flowMod = OpenFlowMessage(xid: 1, .flowMod(FlowMod(match: .all, actions: actions)))
        let printed = try OFPPrint.decode(flowMod.encoded())
        for word in [
            "output:2", "CONTROLLER:128", "mod_vlan_vid:42", "mod_vlan_pcp:3", "strip_vlan",
            "mod_dl_src:aa:bb:cc:dd:ee:ff",
            "mod_dl_dst:01:02:03:04:05:06", "mod_nw_src:192.168.1.1", "mod_nw_dst:192.168.1.2", "mod_nw_tos:16",
            "mod_tp_src:1234", "mod_tp_dst:4321", "enqueue:1:7",
        ] {
            #expect(printed.contains(word), "missing \(word) in:\n\(printed)")
        }
    }
}
