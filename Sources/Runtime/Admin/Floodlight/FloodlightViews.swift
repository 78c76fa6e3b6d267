import ControlPlane
import Foundation
import NIOCore
import OpenFlow

/// The answers of Floodlight's REST API, with Floodlight's field names, built from the unit's
/// own state. Where Floodlight 0.9 and 1.x differ, a field of each is written when they do not
/// clash (`dpid` and `switchDPID`), and 1.x's shape wins when they do.
enum FloodlightViews {
    /// `00:00:00:00:00:00:00:01`, as Floodlight writes a DPID.
    static func dpid(_ datapathID: DatapathID) -> String {
        let hex = datapathID.description
        return stride(from: 0, to: 16, by: 2).map { offset in
            let start = hex.index(hex.startIndex, offsetBy: offset)
            return String(hex[start..<hex.index(start, offsetBy: 2)])
        }.joined(separator: ":")
    }

    /// `/wm/core/controller/switches/json`: 0.9's switch object (with its ports, which
    /// scripts read to map interface names to port numbers) and 1.x's `switchDPID`.
    struct Switch: Encodable {
        var dpid: String
        var switchDPID: String
        /// `/127.0.0.1:54321`, as Java prints a socket address.
        var inetAddress: String
        /// Milliseconds since the epoch.
        var connectedSince: Int64
        var harole = "MASTER"
        var buffers: UInt32
        var tables: UInt8
        var capabilities: UInt32
        var actions: UInt32
        var ports: [Port]

        struct Port: Encodable {
            var portNumber: UInt16
            var hardwareAddress: String
            var name: String
            var config: UInt32
            var state: UInt32
            var currentFeatures: UInt32
            var advertisedFeatures: UInt32
            var supportedFeatures: UInt32
            var peerFeatures: UInt32
        }

        init(_ description: SwitchDescription, session: SwitchSession?) {
            dpid = FloodlightViews.dpid(description.datapathID)
            switchDPID = dpid
            inetAddress = "/" + (session?.address.map(AdminServer.urlAuthority) ?? "")
            connectedSince = Int64(((session?.connectedSince.timeIntervalSince1970 ?? 0) * 1000).rounded())
            buffers = description.features.bufferCount
            tables = description.features.tableCount
            capabilities = description.features.capabilities.rawValue
            actions = description.features.supportedActions.rawValue
            ports = description.ports.map {
                Port(
                    portNumber: $0.portNumber.rawValue, hardwareAddress: $0.hardwareAddress.description, name: $0.name,
                    config: $0.config.rawValue, state: $0.state.rawValue, currentFeatures: $0.current.rawValue,
                    advertisedFeatures: $0.advertised.rawValue, supportedFeatures: $0.supported.rawValue,
                    peerFeatures: $0.peer.rawValue)
            }
        }
    }

    /// `/wm/device/`: Floodlight 1.0–1.2's device (a bare array, as 0.9's too).
    struct Device: Encodable {
        var entityClass = "DefaultEntityClass"
        var mac: [String]
        var ipv4: [String]
        var ipv6: [String] = []
        var vlan: [String]
        var attachmentPoint: [AttachmentPoint]
        var lastSeen: Int64

        struct AttachmentPoint: Encodable {
            var switchDPID: String
            var port: UInt16
            var errorStatus: String?

            func encode(to encoder: any Encoder) throws {
                var container = encoder.container(keyedBy: CodingKeys.self)
                try container.encode(switchDPID, forKey: .switchDPID)
                try container.encode(port, forKey: .port)
                try container.encodeNil(forKey: .errorStatus)
            }
            enum CodingKeys: String, CodingKey { case switchDPID, port, errorStatus }
        }

        /// `now` and `wallClock` are one instant on the two clocks, to date `lastSeen`.
        init(_ tracked: HostTracker.TrackedHost, now: NIODeadline, wallClock: Date) {
            let host = tracked.host
            mac = [host.mac.description]
            ipv4 = host.ipv4.map { [$0.description] } ?? []
            vlan = ["0x" + String(host.vlan ?? 0, radix: 16)]
            attachmentPoint = [
                AttachmentPoint(
                    switchDPID: FloodlightViews.dpid(host.location.datapathID), port: host.location.port.rawValue)
            ]
            let age = Double((now - tracked.lastSeen).nanoseconds) / 1e9
            lastSeen = Int64(((wallClock.timeIntervalSince1970 - age) * 1000).rounded())
        }
    }

    /// `/wm/topology/links/json`: each link between two switches once, from its lower DPID.
    struct Link: Encodable {
        var srcSwitch: String
        var srcPort: UInt16
        var dstSwitch: String
        var dstPort: UInt16
        var type = "internal"
        var direction = "bidirectional"

        enum CodingKeys: String, CodingKey {
            case srcSwitch = "src-switch"
            case srcPort = "src-port"
            case dstSwitch = "dst-switch"
            case dstPort = "dst-port"
            case type
            case direction
        }

        init(_ link: TopologyLink) {
            srcSwitch = FloodlightViews.dpid(link.a.datapathID)
            srcPort = link.a.port.rawValue
            dstSwitch = FloodlightViews.dpid(link.b.datapathID)
            dstPort = link.b.port.rawValue
        }
    }

    /// `{"status" : "..."}`, spelled as Floodlight spells it.
    static func status(_ text: String) -> String {
        let data = (try? JSONEncoder().encode(text)) ?? Data("\"\"".utf8)
        return "{\"status\" : \(String(decoding: data, as: UTF8.self))}"
    }
}
