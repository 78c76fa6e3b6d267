import ControlPlane
import OpenFlow

/// `/switches`: each connected switch with its ports, as its FEATURES_REPLY and PORT_STATUS
/// messages since have told them.
public struct SwitchView: Codable, Hashable, Sendable {
    public var dpid: String
    public var tables: UInt8
    public var buffers: UInt32
    public var ports: [Port]

    public struct Port: Codable, Hashable, Sendable {
        public var number: UInt16
        public var name: String
        public var mac: String
        /// The link is up (no OFPPS_LINK_DOWN).
        public var linkUp: Bool
        /// The port is not administratively down (no OFPPC_PORT_DOWN).
        public var enabled: Bool
    }

    init(_ description: SwitchDescription) {
        dpid = description.datapathID.description
        tables = description.features.tableCount
        buffers = description.features.bufferCount
        ports = description.ports.map { port in
            Port(
                number: port.portNumber.rawValue, name: port.name, mac: port.hardwareAddress.description,
                linkUp: !port.state.contains(.linkDown), enabled: !port.config.contains(.portDown))
        }
    }

    static func rows(_ registry: SwitchRegistry) -> [SwitchView] {
        registry.datapathIDs.compactMap { registry.description(of: $0).map(SwitchView.init) }
    }
}
