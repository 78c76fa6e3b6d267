/// The subtype byte of the unit header.
///
/// Subtypes 32 and 33 are reserved for the escalated event and its return (the dispatcher's
/// messages); until they are defined they are unknown subtypes like any other.
public struct UnitMessageType: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    public let rawValue: UInt8
    public init(rawValue: UInt8) { self.rawValue = rawValue }

    public static let exportsRequest = UnitMessageType(rawValue: 1)
    public static let exportsReply = UnitMessageType(rawValue: 2)
    public static let exportsUpdate = UnitMessageType(rawValue: 3)
    public static let routeAdvertisement = UnitMessageType(rawValue: 16)
    public static let routeWithdrawal = UnitMessageType(rawValue: 17)

    public static let known: [UnitMessageType] = [.exportsRequest, .exportsReply, .exportsUpdate, .routeAdvertisement, .routeWithdrawal]

    public var description: String {
        switch self {
        case .exportsRequest: "ECH_EXPORTS_REQUEST"
        case .exportsReply: "ECH_EXPORTS_REPLY"
        case .exportsUpdate: "ECH_EXPORTS_UPDATE"
        case .routeAdvertisement: "ECH_ROUTE_ADVERTISEMENT"
        case .routeWithdrawal: "ECH_ROUTE_WITHDRAWAL"
        default: "ECH_UNKNOWN(\(rawValue))"
        }
    }
}
