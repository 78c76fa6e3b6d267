/// The subtype byte of the unit header.
///
/// 1–3 belong to the exports exchange, 16–17 to control-plane routing, 32–34 to event dispatch.
public struct UnitMessageType: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    public let rawValue: UInt8
    public init(rawValue: UInt8) { self.rawValue = rawValue }

    public static let exportsRequest = UnitMessageType(rawValue: 1)
    public static let exportsReply = UnitMessageType(rawValue: 2)
    public static let exportsUpdate = UnitMessageType(rawValue: 3)
    public static let routeAdvertisement = UnitMessageType(rawValue: 16)
    public static let routeWithdrawal = UnitMessageType(rawValue: 17)
    public static let event = UnitMessageType(rawValue: 32)
    public static let eventReturn = UnitMessageType(rawValue: 33)
    public static let command = UnitMessageType(rawValue: 34)

    public static let known: [UnitMessageType] = [
        .exportsRequest, .exportsReply, .exportsUpdate, .routeAdvertisement, .routeWithdrawal, .event, .eventReturn,
        .command,
    ]

    public var description: String {
        switch self {
        case .exportsRequest: "ECH_EXPORTS_REQUEST"
        case .exportsReply: "ECH_EXPORTS_REPLY"
        case .exportsUpdate: "ECH_EXPORTS_UPDATE"
        case .routeAdvertisement: "ECH_ROUTE_ADVERTISEMENT"
        case .routeWithdrawal: "ECH_ROUTE_WITHDRAWAL"
        case .event: "ECH_EVENT"
        case .eventReturn: "ECH_RETURN"
        case .command: "ECH_COMMAND"
        default: "ECH_UNKNOWN(\(rawValue))"
        }
    }
}
