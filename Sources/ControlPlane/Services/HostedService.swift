import NIOCore
import OpenFlow
import UnitProtocol

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
    /// The unit's periodic tick: work that no event starts (a policy file that changed).
    func tick(context: inout ServiceContext)
    /// The operator asked the unit to reload (SIGHUP).
    func reload(context: inout ServiceContext)
    /// Figures of the service's own (`echelon counters`), by name; empty for most.
    var statistics: [String: Int] { get }
    /// A service above took back what it said about these devices (`ServiceCommand`).
    func withdrawn(_ macs: [MACAddress], by sid: ServiceID, context: inout ServiceContext)
    /// A service above ended its BYPASS of these hosts (an authenticator revoked them): the
    /// unit's tracker forgets them as this is called, and nothing learned of them may carry
    /// their traffic until their own frames have been judged again.
    func bypassEnded(_ macs: [MACAddress], by sid: ServiceID, context: inout ServiceContext)
    /// A map of hosts wider than the unit's own tracker (the resolver's), for `echelon hosts`;
    /// nil for most.
    var knownHosts: [KnownHost]? { get }
}

extension HostedService {
    public func tick(context: inout ServiceContext) {}
    public func reload(context: inout ServiceContext) {}
    public var statistics: [String: Int] { [:] }
    public func withdrawn(_ macs: [MACAddress], by sid: ServiceID, context: inout ServiceContext) {}
    public func bypassEnded(_ macs: [MACAddress], by sid: ServiceID, context: inout ServiceContext) {}
    public var knownHosts: [KnownHost]? { nil }
}

/// Whether processing of an event goes on after a service.
public enum ServiceVerdict: Hashable, Sendable {
    case `continue`
    case stop
    /// The service needs the answer of a service above (by SID) first: the event waits for it
    /// (DIVERTed to it alone, under its timeout and policy), then comes back to this service
    /// with the answer in its context. A service asks a given service once per event; asked
    /// again, or when that service cannot be reached, the chain goes on after the asker.
    case ask(ServiceID)
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
    /// The domain (tier-1 unit) whose switch the event is from, when that is another unit's:
    /// nil for this unit's own events, and outside events (tick, reload).
    public let domain: UnitID?
    let sink: any SwitchMessageSink
    /// The event's processing context: what services above added to it before it resumed here
    /// (e.g. `auth` = `allowed`), and what services before this one annotated.
    public private(set) var attributes: [String: String]
    /// What this event's services annotated, in order: when the event came from a unit below,
    /// it goes back in the return and is added to the waiting context there.
    public private(set) var annotations: [ContextEntry] = []
    /// Devices (by MAC) whose events the answering service no longer wants (BYPASS).
    public private(set) var bypassed: [MACAddress] = []
    /// What the service tells domains unasked (`ServiceCommand`), in order.
    public private(set) var commands: [DomainCommand] = []

    public init(
        now: NIODeadline, hosts: HostTracker, sink: any SwitchMessageSink, domain: UnitID? = nil,
        attributes: [String: String] = [:]
    ) {
        self.now = now
        self.hosts = hosts
        self.domain = domain
        self.sink = sink
        self.attributes = attributes
    }

    /// Tells a domain (nil: this unit's own) to send these messages to its switches and to take
    /// back what this service said about these devices (their BYPASS ends).
    public mutating func command(_ command: DomainCommand) {
        commands.append(command)
    }

    /// Adds to the event's processing context.
    public mutating func annotate(_ key: String, _ value: String) {
        attributes[key] = value
        annotations.append(ContextEntry(key: key, value: value))
    }

    /// Asks the unit below to stop sending this device's events to this service.
    public mutating func bypass(_ mac: MACAddress) {
        bypassed.append(mac)
    }

    public func send(_ body: OpenFlowMessage.Body, to datapathID: DatapathID) {
        sink.send(body, to: datapathID)
    }
}

/// A command a service gives a domain outside any answer (`ServiceCommand` once it has the
/// service's SID).
public struct DomainCommand: Hashable, Sendable {
    /// The domain (tier-1 unit) it is for; nil: this unit's own.
    public var domain: UnitID?
    public var messages: EventReturn.SwitchMessageList
    public var withdrawn: [MACAddress]

    public init(domain: UnitID?, messages: EventReturn.SwitchMessageList = [], withdrawn: [MACAddress] = []) {
        self.domain = domain
        self.messages = messages
        self.withdrawn = withdrawn
    }
}

extension DomainCommand {
    /// Commands that delete the flows `matches` select on each of `switches` of a domain and
    /// withdraw `macs` there, as many as the messages take (a command carries at most
    /// `ServiceCommand.maximumMessages`); the withdrawal goes with the first.
    public static func deleting(
        _ matches: [Match], on switches: some Sequence<DatapathID>, in domain: UnitID?, withdrawing macs: [MACAddress]
    ) -> [DomainCommand] {
        var messages = EventReturn.SwitchMessageList()
        for datapathID in switches.sorted(by: { $0.rawValue < $1.rawValue }) {
            for match in matches { messages.append(.flowMod(FlowMod(match: match, command: .delete)), to: datapathID) }
        }
        return commands(sending: messages, in: domain, withdrawing: macs)
    }

    /// Commands that send `messages` to a domain's switches and withdraw `macs` there, as many
    /// as the messages take (the withdrawal goes with the first).
    public static func commands(
        sending messages: EventReturn.SwitchMessageList, in domain: UnitID?, withdrawing macs: [MACAddress] = []
    ) -> [DomainCommand] {
        var commands: [DomainCommand] = []
        var rest = messages
        repeat {
            let (part, remainder) = rest.split(atMost: ServiceCommand.maximumMessages)
            commands.append(DomainCommand(domain: domain, messages: part, withdrawn: commands.isEmpty ? macs : []))
            rest = remainder
        } while !rest.isEmpty
        return commands
    }
}
