import NIOCore
import OpenFlow

/// A controller application hosted by a unit: it subscribes to event categories and, for each
/// event it receives, may send OpenFlow messages to switches and say whether the services after
/// it (lower priority) still see the event.
///
/// Services are reference types owned by the unit and called on one thread only, in priority
/// order (highest first: authentication runs before forwarding).
public protocol HostedService: AnyObject {
    var name: String { get }
    var subscriptions: Set<EventCategory> { get }
    var priority: Int { get }
    func handle(_ event: NetworkEvent, context: inout ServiceContext) -> ServiceVerdict
}

/// Whether processing of an event goes on after a service.
public enum ServiceVerdict: Hashable, Sendable {
    case `continue`
    case stop
}

/// Where a service's messages go. The runtime writes them straight to the switch channel; a
/// test records them. A reference type, so that every holder sends through the same one.
public protocol SwitchMessageSink: AnyObject {
    func send(_ body: OpenFlowMessage.Body, to datapathID: DatapathID)
}

/// What a service may see and do while handling one event.
public struct ServiceContext {
    public let now: NIODeadline
    public let hosts: HostTracker
    let sink: any SwitchMessageSink

    public init(now: NIODeadline, hosts: HostTracker, sink: any SwitchMessageSink) {
        self.now = now
        self.hosts = hosts
        self.sink = sink
    }

    public func send(_ body: OpenFlowMessage.Body, to datapathID: DatapathID) {
        sink.send(body, to: datapathID)
    }
}
