import NIOCore

/// `ofp_desc_stats`: who made the switch and what it runs.
public struct DescriptionStats: Encodable, FixedSizeWireStructure {
    public static let size = 1056
    static let descriptionLength = 256
    static let serialNumberLength = 32

    public var manufacturer: String
    public var hardware: String
    public var software: String
    public var serialNumber: String
    public var datapath: String

    public init(manufacturer: String, hardware: String, software: String, serialNumber: String, datapath: String) {
        self.manufacturer = manufacturer
        self.hardware = hardware
        self.software = software
        self.serialNumber = serialNumber
        self.datapath = datapath
    }

    public init(parsing reader: inout WireReader) throws(WireError) {
        manufacturer = try reader.readFixedString(length: Self.descriptionLength, field: "ofp_desc_stats.mfr_desc")
        hardware = try reader.readFixedString(length: Self.descriptionLength, field: "ofp_desc_stats.hw_desc")
        software = try reader.readFixedString(length: Self.descriptionLength, field: "ofp_desc_stats.sw_desc")
        serialNumber = try reader.readFixedString(length: Self.serialNumberLength, field: "ofp_desc_stats.serial_num")
        datapath = try reader.readFixedString(length: Self.descriptionLength, field: "ofp_desc_stats.dp_desc")
    }

    public func write(to buffer: inout ByteBuffer) {
        buffer.writeFixedString(manufacturer, length: Self.descriptionLength)
        buffer.writeFixedString(hardware, length: Self.descriptionLength)
        buffer.writeFixedString(software, length: Self.descriptionLength)
        buffer.writeFixedString(serialNumber, length: Self.serialNumberLength)
        buffer.writeFixedString(datapath, length: Self.descriptionLength)
    }
}
