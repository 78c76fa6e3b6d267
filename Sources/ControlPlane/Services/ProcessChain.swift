import UnitProtocol

/// Runs the services subscribed to an event in priority order until one says stop.
///
/// A chain can stop before the first service of at most a given priority, so that the
/// dispatcher's stage for remote services runs at its place in the order, and resume from a
/// position when a DIVERTed event's answer returns.
public struct ProcessChain {
    public private(set) var services: [any HostedService]
    /// Subscribers by `EventCategory.index`: an array rather than a dictionary, because the
    /// category's hash is its raw string and this runs twice for every PACKET_IN.
    private var subscribers: [[any HostedService]] = []

    /// How a run ended.
    public enum Outcome: Hashable, Sendable {
        /// A service said stop.
        case stopped
        /// Every subscriber ran.
        case completed
        /// The run reached a service of priority at most the stage's: that service's position.
        case reachedStage(at: Int)
        /// The service at `at` asked a service above (`ServiceVerdict.ask`).
        case asked(ServiceID, at: Int)
    }

    public init(services: [any HostedService]) {
        // Highest priority first; equal priorities keep the configured order.
        self.services = services.enumerated()
            .sorted { ($0.element.priority, -$0.offset) > ($1.element.priority, -$1.offset) }
            .map(\.element)
        subscribers = EventCategory.allCases.map { category in
            self.services.filter { $0.subscriptions.contains(category) }
        }
    }

    /// Whether any service wants events of this category (the unit skips building ones nobody wants).
    public func wants(_ category: EventCategory) -> Bool {
        !subscribers[category.index].isEmpty
    }

    /// Runs the subscribers from position `start`; with a `stage` priority, stops before the
    /// first subscriber whose priority is not above it (remote services of that priority run
    /// first; local ones of equal priority after them).
    @discardableResult
    public func run(
        _ event: NetworkEvent, context: inout ServiceContext, from start: Int = 0, stage: Int? = nil
    ) -> Outcome {
        let chain = subscribers[event.category.index]
        var position = start
        while position < chain.count {
            let service = chain[position]
            if let stage, service.priority <= stage { return .reachedStage(at: position) }
            switch service.handle(event, context: &context) {
            case .continue: position += 1
            case .stop: return .stopped
            case .ask(let sid): return .asked(sid, at: position)
            }
        }
        return stage == nil ? .completed : .reachedStage(at: position)
    }
}
