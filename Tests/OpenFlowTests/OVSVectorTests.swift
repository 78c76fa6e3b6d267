import Foundation
import NIOCore
import OpenFlow
import Testing

/// A message captured from a real Open vSwitch, with what `ovs-ofctl ofp-print` made of it.
struct OVSVector: CustomTestStringConvertible, Sendable {
    let name: String
    let bytes: ByteBuffer
    let ofpPrint: [String]
    var testDescription: String { name }

    static let directory = Bundle.module.resourceURL?.appendingPathComponent("Vectors/ovs")

    static let all: [OVSVector] = {
        guard let directory, let names = try? FileManager.default.contentsOfDirectory(atPath: directory.path) else {
            return []
        }
        return names.filter { $0.hasSuffix(".txt") }.sorted().compactMap { name in
            guard let text = try? String(contentsOf: directory.appendingPathComponent(name), encoding: .utf8) else {
                return nil
            }
            let lines = text.split(separator: "\n").map(String.init)
            let print = lines.compactMap {
                $0.hasPrefix("# ofp-print: ") ? String($0.dropFirst("# ofp-print: ".count)) : nil
            }
            let hex = lines.filter { !$0.hasPrefix("#") }.joined()
            guard let bytes = try? ByteBuffer(plainHexEncodedBytes: hex) else { return nil }
            return OVSVector(name: name, bytes: bytes, ofpPrint: print)
        }
    }()

    func parsed() throws -> OpenFlowMessage {
        var buffer = bytes
        return try OpenFlowMessage(parsing: &buffer)
    }

    /// The `xid=0x...` that ofp-print read from the header.
    var printedXID: UInt32? {
        guard let first = ofpPrint.first, let range = first.range(of: "(xid=0x") else { return nil }
        return UInt32(first[range.upperBound...].prefix { $0.isHexDigit }, radix: 16)
    }
}

@Suite struct OVSVectorTests {
    @Test func vectorsArePresentForEveryMessageType() throws {
        let types = try Set(OVSVector.all.map { try $0.parsed().type.rawValue })
        #expect(OVSVector.all.count >= 60)
        #expect(types == Set(0...21))
    }

    @Test(arguments: OVSVector.all)
    func decodesAndReencodesByteForByte(_ vector: OVSVector) throws {
        let message = try vector.parsed()
        #expect(message.encoded() == vector.bytes, "re-encoding must reproduce Open vSwitch's bytes exactly")
        #expect(message.xid == vector.printedXID)
        // ofp-print's first word names the type: OFPT_*, OFPST_* for statistics, NXT_* for Nicira vendor messages.
        let word = try #require(vector.ofpPrint.first?.split(separator: " ").first.map(String.init))
        switch message.body {
        case .statsRequest(let request): #expect(word == request.type.description)
        case .statsReply(let reply): #expect(word == reply.type.description)
        case .vendor(let vendor):
            #expect(word.hasPrefix("NXT_"))
            #expect(vendor.vendor == 0x0000_2320)
        default: #expect(word == message.type.description)
        }
    }

    func vector(_ name: String) throws -> OpenFlowMessage {
        let vector = try #require(OVSVector.all.first { $0.name == name }, "missing vector \(name)")
        return try vector.parsed()
    }

    @Test func featuresReplyFields() throws {
        guard case .featuresReply(let features) = try vector("06-features-reply.txt").body else {
            Issue.record("wrong type")
            return
        }
        #expect(features.datapathID == DatapathID(0xec1))
        #expect(features.tableCount == 254)
        #expect(features.bufferCount == 0)
        #expect(features.capabilities == [.flowStats, .tableStats, .portStats, .queueStats, .arpMatchIP])
        #expect(features.supportedActions.rawValue == 0xfff)
        #expect(features.ports.map(\.portNumber) == [.local, PortNumber(1), PortNumber(2)])
        #expect(features.ports.map(\.name) == ["ecv13700", "ecv13700a", "ecv13700b"])
        #expect(features.ports[1].hardwareAddress == MACAddress("02:ec:00:00:00:01"))
        #expect(features.ports[1].config == [.portDown])
        #expect(features.ports[1].state.contains(.linkDown))
        #expect(features.ports[1].current == [.tenGbFullDuplex, .copper])
    }

    @Test func flowModWithEveryMatchField() throws {
        guard case .flowMod(let flowMod) = try vector("14-flow-mod-all-match-fields.txt").body else {
            Issue.record("wrong type")
            return
        }
        #expect(
            flowMod.match.description
                == "in_port=1,dl_vlan=10,dl_vlan_pcp=3,dl_src=00:11:22:33:44:55,dl_dst=66:77:88:99:aa:bb,dl_type=0x0800,"
                + "nw_tos=32,nw_proto=6,nw_src=10.0.0.0/8,nw_dst=192.168.1.0/24,tp_src=1234,tp_dst=80")
        #expect(flowMod.match.wildcards.rawValue == 0x0002_1800)
        #expect(flowMod.priority == 1000)
        #expect(flowMod.command == .add)
    }

    @Test func packetInFields() throws {
        guard case .packetIn(let packetIn) = try vector("10-packet-in-action-ipv4-tcp-syn-ip-options.txt").body else {
            Issue.record("wrong type")
            return
        }
        #expect(packetIn.totalLength == 66)
        #expect(packetIn.inPort == .controller)
        #expect(packetIn.reason == .action)
        #expect(packetIn.bufferID == .none)
        #expect(packetIn.data.readableBytes == 66)
    }

    @Test func flowRemovedFields() throws {
        guard case .flowRemoved(let removed) = try vector("11-flow-removed-hard-timeout.txt").body else {
            Issue.record("wrong type")
            return
        }
        #expect(removed.reason == .hardTimeout)
        #expect(removed.priority == 3000)
        #expect(removed.match.tpDst == 9999)
        #expect(removed.packetCount == 1)
        #expect(removed.byteCount == 50)
    }

    @Test func flowStatsReplyEntries() throws {
        let vector = try #require(OVSVector.all.first { $0.name == "17-stats-reply-flow.txt" })
        guard case .statsReply(let reply) = try vector.parsed().body, case .flow(let flows) = reply.body else {
            Issue.record("wrong type")
            return
        }
        let printedPriorities = vector.ofpPrint.compactMap { line -> UInt16? in
            guard let range = line.range(of: "priority=") else { return nil }
            return UInt16(line[range.upperBound...].prefix { $0.isNumber })
        }
        #expect(flows.map(\.priority) == printedPriorities)
        #expect(flows.contains { $0.actions == [.enqueue(port: PortNumber(1), queueID: 7)] })
        #expect(flows.contains { $0.cookie == 0xec00_0000_0000_beef && $0.idleTimeout == 300 && $0.hardTimeout == 600 })
    }

    @Test func helloFailedInThePeersVersion() throws {
        let message = try vector("01-error-hello-failed.txt")
        #expect(message.version == 4)
        guard case .error(let error) = message.body else {
            Issue.record("wrong type")
            return
        }
        #expect(error.codeName == "OFPHFC_INCOMPATIBLE")
        #expect(String(buffer: error.data).hasPrefix("We support version 0x01"))
    }
}
