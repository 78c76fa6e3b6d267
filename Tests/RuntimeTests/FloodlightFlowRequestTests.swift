import ConfigurationFiles
import ControlPlane
import Foundation
import OpenFlow
import Testing

@testable import Runtime

@Suite struct FloodlightFlowRequestTests {
    static func body(_ json: String) throws -> [String: JSONValue] {
        try #require(try JSONDecoder().decode(JSONValue.self, from: Data(json.utf8)).objectValue)
    }

    static func flow(_ json: String) throws -> StaticFlow {
        try FloodlightFlowRequest.flow(from: try body(json))
    }

    static func refusal(_ json: String) throws -> String {
        do {
            _ = try FloodlightFlowRequest.flow(from: try body(json))
            return "accepted"
        } catch {
            return "\(error)"
        }
    }

    /// The body sFlow-RT's DDoS mitigation posted to Floodlight 0.9 (every value a string).
    @Test func theOlderPushersNamesAsAMitigationScriptWroteThem() throws {
        let flow = try Self.flow(
            #"{"switch":"00:00:00:00:00:00:00:01","name":"dos-1","ingress-port":"1","ether-type":"2048","#
                + #""protocol":"1","src-ip":"10.0.0.1","dst-ip":"10.0.0.3","priority":"32767","active":"true"}"#)
        #expect(flow.name == "dos-1" && flow.datapathID == DatapathID(1))
        #expect(flow.match.description == "in_port=1,dl_type=0x0800,nw_proto=1,nw_src=10.0.0.1,nw_dst=10.0.0.3")
        #expect(flow.priority == 32767 && flow.actions.isEmpty && flow.active)
        #expect(flow.cookie == FloodlightFlowRequest.cookie(for: "dos-1") && flow.cookie >> 52 == 10)
    }

    /// The embedded scripts of 2014: numbers and booleans unquoted, a hex ether-type, empty actions.
    @Test func unquotedValuesAndHex() throws {
        let flow = try Self.flow(
            #"{"name":"block-10.0.0.9","switch":"00:00:00:00:00:00:00:02","cookie":0,"priority":500,"#
                + #""active":true,"ether-type":"0x0800","src-ip":"10.0.0.9","actions":""}"#)
        #expect(flow.match.description == "dl_type=0x0800,nw_src=10.0.0.9")
        #expect(flow.priority == 500 && flow.actions.isEmpty)
    }

    @Test func floodlight1NamesImplyTheirPrerequisites() throws {
        let flow = try Self.flow(
            #"{"switch":"1","name":"web","tcp_dst":"80","ipv4_dst":"10.0.0.0/8","eth_src":"00:00:00:00:00:01","#
                + #""idle_timeout":"30","actions":"set_vlan_vid=5,output=2,output=controller"}"#)
        #expect(
            flow.match.description == "dl_src=00:00:00:00:00:01,dl_type=0x0800,nw_proto=6,nw_dst=10.0.0.0/8,tp_dst=80")
        #expect(flow.idleTimeout == 30 && flow.priority == FlowMod.defaultPriority)
        #expect(
            flow.actions == [
                .setVlanVid(5), .output(port: PortNumber(2), maxLength: .max),
                .output(port: .controller, maxLength: .max),
            ])
        #expect(try FloodlightActionList.actions(from: FloodlightActionList.text(of: flow.actions)) == flow.actions)
        let masked = try Self.flow(#"{"switch":"1","name":"m","ipv4_src":"10.1.0.0/255.255.0.0"}"#)
        #expect(masked.match.wildcards.nwSrcPrefixLength == 16)
    }

    @Test func theOlderActionNames() throws {
        let flow = try Self.flow(
            #"{"switch":"1","name":"mark","actions":"set-tos-bits=0x4,set-src-mac=00:00:00:00:00:09,strip-vlan,output=normal"}"#
        )
        #expect(
            flow.actions == [
                .setNwTos(4), .setDlSrc(MACAddress(0, 0, 0, 0, 0, 9)), .stripVlan,
                .output(port: .normal, maxLength: .max),
            ])
    }

    @Test func aPriorityInTheServicesBandIsRaisedAboveIt() throws {
        #expect(try Self.flow(#"{"switch":"1","name":"low","priority":"5"}"#).priority == StaticFlow.lowestPriority)
    }

    @Test func refusalsNameTheFieldAndTheProblem() throws {
        #expect(try Self.refusal(#"{"switch":"1","name":"x","src_ip":"10.0.0.1"}"#) == #"unknown field "src_ip""#)
        #expect(try Self.refusal(#"{"name":"x"}"#) == #"missing field "switch""#)
        #expect(try Self.refusal(#"{"switch":"1"}"#) == #"missing field "name""#)
        #expect(try Self.refusal(#"{"switch":"zz","name":"x"}"#) == "invalid switch: zz")
        #expect(try Self.refusal(#"{"switch":"1","name":"x","priority":"70000"}"#) == "invalid priority: 70000")
        #expect(try Self.refusal(#"{"switch":"1","name":"x","src-ip":"10.0.0.300"}"#) == "invalid src-ip: 10.0.0.300")
        #expect(
            try Self.refusal(#"{"switch":"1","name":"x","ether-type":"0x806","src-ip":"10.0.0.1"}"#)
                == "src-ip: it matches IPv4 frames, and eth_type is 0x806")
        #expect(
            try Self.refusal(#"{"switch":"1","name":"x","dst-port":"80"}"#)
                == "dst-port: a transport port needs the protocol (ip_proto or protocol)")
        #expect(
            try Self.refusal(#"{"switch":"1","name":"x","ip_proto":"17","tcp_dst":"80"}"#)
                == "tcp_dst: ip_proto is 17, not 6")
        #expect(try Self.refusal(#"{"switch":"1","name":"x","actions":"output=99999"}"#) == "invalid actions: 99999")
        #expect(try Self.refusal(#"{"switch":"1","name":"x","actions":"goto=2"}"#) == #"unknown action "goto=2""#)
        #expect(
            try Self.refusal(#"{"switch":"1","name":"x","in_port":"1","ingress-port":"2"}"#).hasSuffix(
                "name the same field"))
        #expect(try Self.refusal(#"{"switch":"1","name":"x","table":"1"}"#).hasPrefix("invalid table: 1"))
    }

    @Test func listingsInBothVersionsShapes() throws {
        let flow = try Self.flow(
            #"{"switch":"00:00:00:00:00:00:00:01","name":"dos-1","ingress-port":"1","src-ip":"10.0.0.1","actions":"output=2"}"#
        )
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        let current = String(decoding: try encoder.encode(FloodlightFlowListing.current([flow])), as: UTF8.self)
        #expect(
            current.hasPrefix(#"{"00:00:00:00:00:00:00:01":[{"dos-1":{"actions":{"actions":"output=2"}"#), "\(current)")
        #expect(current.contains(#""match":{"eth_type":"0x800","in_port":"1","ipv4_src":"10.0.0.1"}"#), "\(current)")
        let legacy = String(decoding: try encoder.encode(FloodlightFlowListing.legacy([flow])), as: UTF8.self)
        #expect(
            legacy.hasPrefix(#"{"00:00:00:00:00:00:00:01":{"dos-1":{"actions":[{"maxLength":-1,"port":2"#), "\(legacy)")
        #expect(legacy.contains(#""networkSource":"10.0.0.1","networkSourceMaskLen":32"#), "\(legacy)")
        #expect(FloodlightViews.status("Entry pushed") == #"{"status" : "Entry pushed"}"#)
    }
}
