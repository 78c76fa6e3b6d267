import ControlPlane

/// Counts the events it subscribes to and lets them pass. It changes nothing in the network,
/// so a unit may host any number of them (each with its own SID): they are what a control
/// plane is measured and tested with when what matters is where events go, not what is done
/// with them.
public final class EventCounterService: HostedService {
    public let name: String
    public let subscriptions: Set<EventCategory>
    public let priority: Int
    public private(set) var counts: [EventCategory: Int] = [:]

    public init(name: String = "counter", subscriptions: Set<EventCategory>, priority: Int = 0) {
        self.name = name
        self.subscriptions = subscriptions
        self.priority = priority
    }

    public func handle(_ event: NetworkEvent, context: inout ServiceContext) -> ServiceVerdict {
        counts[event.category, default: 0] += 1
        return .continue
    }
}
