/// The kinds of network event a service can subscribe to (and, later, filter on).
///
/// It lives with the unit protocol because units exchange subscriptions: on the wire a set of
/// categories is a 16-bit mask with bit `index` set for each member (`EventCategory.mask`).
public enum EventCategory: String, CaseIterable, Hashable, Sendable, Codable {
    case switchAdded = "switch_added"
    case switchPortChanged = "switch_port_changed"
    case switchRemoved = "switch_removed"
    case packetIn = "packet_in"
    case portStatus = "port_status"
    case vendor
    case deviceAdded = "device_added"
    case deviceRemoved = "device_removed"
    case deviceChanged = "device_changed"
    case linkAdded = "link_added"
    case linkRemoved = "link_removed"

    /// The category's position in `allCases`, for tables indexed by category.
    public var index: Int {
        switch self {
        case .switchAdded: 0
        case .switchPortChanged: 1
        case .switchRemoved: 2
        case .packetIn: 3
        case .portStatus: 4
        case .vendor: 5
        case .deviceAdded: 6
        case .deviceRemoved: 7
        case .deviceChanged: 8
        case .linkAdded: 9
        case .linkRemoved: 10
        }
    }

    /// The categories by `index`: `allCases` builds a new array at each use, and a received
    /// event's category is looked up by index for every event.
    public static let byIndex: [EventCategory] = allCases

    /// Whether the event is about a device (its payload is a `DeviceRecord`).
    public var isDeviceEvent: Bool {
        switch self {
        case .deviceAdded, .deviceRemoved, .deviceChanged: true
        default: false
        }
    }

    /// Whether the event is about a discovered link (its payload is a `LinkRecord`).
    public var isLinkEvent: Bool { self == .linkAdded || self == .linkRemoved }

    public static let switchEvents: Set<EventCategory> = [.switchAdded, .switchPortChanged, .switchRemoved]
    public static let messageEvents: Set<EventCategory> = [.packetIn, .portStatus, .vendor]
    public static let deviceEvents = Set(allCases.filter(\.isDeviceEvent))
    public static let linkEvents: Set<EventCategory> = [.linkAdded, .linkRemoved]

    /// The categories as the 16-bit mask of the unit protocol.
    public static func mask(of categories: Set<EventCategory>) -> UInt16 {
        categories.reduce(0) { $0 | 1 << UInt16($1.index) }
    }

    /// The categories in a mask; bits with no category are reported in `unknownBits`.
    public static func categories(inMask mask: UInt16) -> (categories: Set<EventCategory>, unknownBits: UInt16) {
        let members = Set(allCases.filter { mask & 1 << UInt16($0.index) != 0 })
        return (members, mask & ~Self.mask(of: Set(allCases)))
    }
}
