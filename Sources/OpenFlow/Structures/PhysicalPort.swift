import NIOCore

/// `ofp_phy_port`: the description of one switch port (48 bytes).
public struct PhysicalPort: Encodable, FixedSizeWireStructure {
    public static let size = 48
    public static let nameLength = 16

    public var portNumber: PortNumber
    public var hardwareAddress: MACAddress
    public var name: String
    public var config: PortConfig
    public var state: PortState
    public var current: PortFeatures
    public var advertised: PortFeatures
    public var supported: PortFeatures
    public var peer: PortFeatures

    public init(
        portNumber: PortNumber, hardwareAddress: MACAddress, name: String,
        config: PortConfig = [], state: PortState = PortState(rawValue: 0),
        current: PortFeatures = [], advertised: PortFeatures = [],
        supported: PortFeatures = [], peer: PortFeatures = []
    ) {
        self.portNumber = portNumber
        self.hardwareAddress = hardwareAddress
        self.name = name
        self.config = config
        self.state = state
        self.current = current
        self.advertised = advertised
        self.supported = supported
        self.peer = peer
    }

    /// Neither brought down by configuration nor without a link: it can carry frames.
    public var isUp: Bool { !config.contains(.portDown) && !state.contains(.linkDown) }

    public init(parsing reader: inout WireReader) throws(WireError) {
        self = try reader.readFixed(PhysicalPort.size, field: "ofp_phy_port") { field in
            PhysicalPort(
                portNumber: PortNumber(field.read()), hardwareAddress: field.readMACAddress(),
                name: field.readFixedString(length: PhysicalPort.nameLength),
                config: PortConfig(rawValue: field.read()), state: PortState(rawValue: field.read()),
                current: PortFeatures(rawValue: field.read()), advertised: PortFeatures(rawValue: field.read()),
                supported: PortFeatures(rawValue: field.read()), peer: PortFeatures(rawValue: field.read()))
        }
    }

    public func write(to buffer: inout ByteBuffer) {
        buffer.writeFixed(PhysicalPort.size) { field in
            field.write(portNumber.rawValue)
            field.writeMACAddress(hardwareAddress)
            field.writeFixedString(name, length: PhysicalPort.nameLength)
            field.write(config.rawValue)
            field.write(state.rawValue)
            field.write(current.rawValue)
            field.write(advertised.rawValue)
            field.write(supported.rawValue)
            field.write(peer.rawValue)
        }
    }
}

/// `ofp_port_config`: administrative settings of a port.
public struct PortConfig: OptionSet, Hashable, Sendable {
    public let rawValue: UInt32
    public init(rawValue: UInt32) { self.rawValue = rawValue }

    public static let portDown = PortConfig(rawValue: 1 << 0)
    public static let noSTP = PortConfig(rawValue: 1 << 1)
    public static let noReceive = PortConfig(rawValue: 1 << 2)
    public static let noReceiveSTP = PortConfig(rawValue: 1 << 3)
    public static let noFlood = PortConfig(rawValue: 1 << 4)
    public static let noForward = PortConfig(rawValue: 1 << 5)
    public static let noPacketIn = PortConfig(rawValue: 1 << 6)

    static let names: [(PortConfig, String)] = [
        (.portDown, "PORT_DOWN"), (.noSTP, "NO_STP"), (.noReceive, "NO_RECV"), (.noReceiveSTP, "NO_RECV_STP"),
        (.noFlood, "NO_FLOOD"), (.noForward, "NO_FWD"), (.noPacketIn, "NO_PACKET_IN"),
    ]
}

/// `ofp_port_state`: the link state and, in bits 8–9, the spanning-tree state.
public struct PortState: OptionSet, Hashable, Sendable {
    public let rawValue: UInt32
    public init(rawValue: UInt32) { self.rawValue = rawValue }

    public static let linkDown = PortState(rawValue: 1 << 0)

    /// `OFPPS_STP_*`, a two-bit field rather than flags.
    public enum STPState: UInt32, Sendable, CaseIterable {
        case listen = 0
        case learn, forward, block
    }

    static let stpShift: UInt32 = 8
    static let stpMask: UInt32 = 3 << 8

    public var stp: STPState {
        get { STPState(rawValue: (rawValue & Self.stpMask) >> Self.stpShift) ?? .listen }
        set { self = PortState(rawValue: rawValue & ~Self.stpMask | newValue.rawValue << Self.stpShift) }
    }
}

/// `ofp_port_features`: link speeds and media a port has, advertises, supports, or sees in its peer.
public struct PortFeatures: OptionSet, Hashable, Sendable {
    public let rawValue: UInt32
    public init(rawValue: UInt32) { self.rawValue = rawValue }

    public static let tenMbHalfDuplex = PortFeatures(rawValue: 1 << 0)
    public static let tenMbFullDuplex = PortFeatures(rawValue: 1 << 1)
    public static let hundredMbHalfDuplex = PortFeatures(rawValue: 1 << 2)
    public static let hundredMbFullDuplex = PortFeatures(rawValue: 1 << 3)
    public static let oneGbHalfDuplex = PortFeatures(rawValue: 1 << 4)
    public static let oneGbFullDuplex = PortFeatures(rawValue: 1 << 5)
    public static let tenGbFullDuplex = PortFeatures(rawValue: 1 << 6)
    public static let copper = PortFeatures(rawValue: 1 << 7)
    public static let fiber = PortFeatures(rawValue: 1 << 8)
    public static let autoNegotiation = PortFeatures(rawValue: 1 << 9)
    public static let pause = PortFeatures(rawValue: 1 << 10)
    public static let pauseAsymmetric = PortFeatures(rawValue: 1 << 11)

    static let names: [(PortFeatures, String)] = [
        (.tenMbHalfDuplex, "10MB-HD"), (.tenMbFullDuplex, "10MB-FD"), (.hundredMbHalfDuplex, "100MB-HD"),
        (.hundredMbFullDuplex, "100MB-FD"), (.oneGbHalfDuplex, "1GB-HD"), (.oneGbFullDuplex, "1GB-FD"),
        (.tenGbFullDuplex, "10GB-FD"), (.copper, "COPPER"), (.fiber, "FIBER"), (.autoNegotiation, "AUTO_NEG"),
        (.pause, "AUTO_PAUSE"), (.pauseAsymmetric, "AUTO_PAUSE_ASYM"),
    ]
}
