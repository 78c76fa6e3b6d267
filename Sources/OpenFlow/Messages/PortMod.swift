import NIOCore

/// OFPT_PORT_MOD (`ofp_port_mod`): change a port's administrative settings.
public struct PortMod: Encodable, OpenFlowMessageBody {
    public static let messageType = MessageType.portMod
    public static let minimumLength = 32
    public static let isFixedSize = true

    public var portNumber: PortNumber
    /// Must equal the port's address; guards against changing a port that was replaced.
    public var hardwareAddress: MACAddress
    public var config: PortConfig
    /// Which bits of `config` to change.
    public var mask: PortConfig
    /// Features to advertise; empty leaves them unchanged.
    public var advertise: PortFeatures

    public init(
        portNumber: PortNumber, hardwareAddress: MACAddress, config: PortConfig, mask: PortConfig,
        advertise: PortFeatures = []
    ) {
        self.portNumber = portNumber
        self.hardwareAddress = hardwareAddress
        self.config = config
        self.mask = mask
        self.advertise = advertise
    }

    public init(parsing reader: inout WireReader) throws(WireError) {
        portNumber = PortNumber(try reader.readInteger(field: "ofp_port_mod.port_no"))
        hardwareAddress = try reader.readMACAddress(field: "ofp_port_mod.hw_addr")
        config = PortConfig(rawValue: try reader.readInteger(field: "ofp_port_mod.config"))
        mask = PortConfig(rawValue: try reader.readInteger(field: "ofp_port_mod.mask"))
        advertise = PortFeatures(rawValue: try reader.readInteger(field: "ofp_port_mod.advertise"))
        try reader.skip(4, field: "ofp_port_mod.pad")
    }

    public func write(to buffer: inout ByteBuffer) {
        buffer.writeInteger(portNumber.rawValue)
        buffer.writeMACAddress(hardwareAddress)
        buffer.writeInteger(config.rawValue)
        buffer.writeInteger(mask.rawValue)
        buffer.writeInteger(advertise.rawValue)
        buffer.writePadding(4)
    }
}
