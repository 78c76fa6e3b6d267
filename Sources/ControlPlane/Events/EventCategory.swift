/// The kinds of network event a service can subscribe to (and, later, filter on).
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

    public static let switchEvents: Set<EventCategory> = [.switchAdded, .switchPortChanged, .switchRemoved]
    public static let messageEvents: Set<EventCategory> = [.packetIn, .portStatus, .vendor]
    public static let deviceEvents: Set<EventCategory> = [.deviceAdded, .deviceRemoved, .deviceChanged]
}
