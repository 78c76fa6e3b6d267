/// Runs the services subscribed to an event in priority order until one says stop.
public struct ProcessChain {
    public private(set) var services: [any HostedService]
    /// Subscribers by `EventCategory.index`: an array rather than a dictionary, because the
    /// category's hash is its raw string and this runs twice for every PACKET_IN.
    private var subscribers: [[any HostedService]] = []

    public init(services: [any HostedService]) {
        // Highest priority first; equal priorities keep the configured order.
        self.services = services.enumerated()
            .sorted { ($0.element.priority, -$0.offset) > ($1.element.priority, -$1.offset) }
            .map(\.element)
        subscribers = EventCategory.allCases.map { category in self.services.filter { $0.subscriptions.contains(category) } }
    }

    /// Whether any service wants events of this category (the unit skips building ones nobody wants).
    public func wants(_ category: EventCategory) -> Bool {
        !subscribers[category.index].isEmpty
    }

    /// Returns how many services handled the event.
    @discardableResult
    public func run(_ event: NetworkEvent, context: inout ServiceContext) -> Int {
        var handled = 0
        for service in subscribers[event.category.index] {
            handled += 1
            if service.handle(event, context: &context) == .stop { break }
        }
        return handled
    }
}
