import ControlPlane
import NIOCore
import OpenFlow
import Packets
import UnitProtocol

/// The resolver's client in a tier-1 unit, ahead of forwarding. A frame for a destination that
/// is not in this domain (a unicast MAC the unit's host tracker does not know, or an ARP request
/// for an address no host here has) is resolved through the resolver above: the event waits
/// for its answer (`ServiceVerdict.ask`), which this client keeps for a while, so the next
/// frames for that destination are not asked about again.
///
/// - A destination in another domain: forwarding is given the way (`Resolution` in the
///   context) and installs the path to this domain's edge towards it; an ARP request for it is
///   answered here (proxy ARP) and goes no further, so broadcasts never cross a domain boundary.
/// - A host of this domain: an ARP request for it is answered here as well, from its device
///   events, and is not flooded.
/// - A destination nobody has seen: a negative answer kept briefly, and the frame is flooded
///   inside the domain as before.
/// - An answer the resolver withdraws (the host moved) is forgotten at once.
public final class ResolverClientService: HostedService {
    public static let events: Set<EventCategory> = [.packetIn, .deviceAdded, .deviceChanged, .deviceRemoved]

    public struct Configuration: Hashable, Sendable {
        /// The resolver to ask.
        public var resolver: ServiceID
        /// How long an answer naming a domain is kept (the resolver withdraws it sooner if the host moves).
        public var answerLifetime: TimeAmount
        /// How long "nobody has seen it" is kept.
        public var negativeLifetime: TimeAmount

        public init(
            resolver: ServiceID, answerLifetime: TimeAmount = .seconds(60), negativeLifetime: TimeAmount = .seconds(2)
        ) {
            self.resolver = resolver
            self.answerLifetime = answerLifetime
            self.negativeLifetime = negativeLifetime
        }
    }

    public struct Counters: Hashable, Sendable {
        public var asked = 0
        public var answeredFromCache = 0
        public var proxyARP = 0
        /// ARP requests for a host of this domain, answered here.
        public var answeredLocally = 0
        public var sentToEdge = 0
        public var withdrawn = 0
    }

    public let name = "resolver-client"
    public let priority: Int
    public let subscriptions = ResolverClientService.events
    public let configuration: Configuration
    public private(set) var counters = Counters()
    private var byMAC: [MACAddress: (resolution: Resolution, expires: NIODeadline)] = [:]
    private var byAddress: [IPv4Address: (resolution: Resolution, expires: NIODeadline)] = [:]
    /// The addresses of this domain's hosts, from its device events: an ARP request for one of
    /// them is answered inside the domain.
    private var localAddresses: [IPv4Address: MACAddress] = [:]

    public init(configuration: Configuration, priority: Int = 150) {
        self.configuration = configuration
        self.priority = priority
    }

    public var statistics: [String: Int] {
        [
            "asked": counters.asked, "answeredFromCache": counters.answeredFromCache, "proxyARP": counters.proxyARP,
            "answeredLocally": counters.answeredLocally,
            "sentToEdge": counters.sentToEdge, "withdrawn": counters.withdrawn, "cached": byMAC.count + byAddress.count,
        ]
    }

    public func handle(_ event: NetworkEvent, context: inout ServiceContext) -> ServiceVerdict {
        switch event {
        case .packetIn(let packetIn):
            return resolve(packetIn, context: &context)
        case .deviceAdded(let host), .deviceChanged(let host, _):
            // Here now: whatever was said of it elsewhere no longer applies.
            byMAC[host.mac] = nil
            if let ipv4 = host.ipv4 {
                localAddresses[ipv4] = host.mac
                byAddress[ipv4] = nil
            }
        case .deviceRemoved(let host):
            if let ipv4 = host.ipv4, localAddresses[ipv4] == host.mac { localAddresses[ipv4] = nil }
        default:
            break
        }
        return .continue
    }

    public func withdrawn(_ macs: [MACAddress], by sid: ServiceID, context: inout ServiceContext) {
        guard sid == configuration.resolver else { return }
        for mac in macs where byMAC.removeValue(forKey: mac) != nil { counters.withdrawn += 1 }
        let gone = Set(macs)
        byAddress = byAddress.filter { _, cached in
            switch cached.resolution {
            case .remote(let mac, _, _), .local(let mac): !gone.contains(mac)
            case .unknown: true
            }
        }
    }

    private func resolve(_ event: PacketInEvent, context: inout ServiceContext) -> ServiceVerdict {
        let match = event.match
        let isARPRequest = match.isARPRequest
        if isARPRequest {
            if let local = localAddresses[match.nwDst] {
                return answerLocally(event, for: local, context: &context)
            }
        } else {
            guard !match.dlDst.isMulticast, context.hosts.host(match.dlDst) == nil else { return .continue }
        }
        let now = context.now
        let resolution: Resolution
        if let answer = Resolution(context.attributes) {
            // The resolver's answer, just arrived.
            resolution = answer
            let lifetime = answer == .unknown ? configuration.negativeLifetime : configuration.answerLifetime
            if isARPRequest { byAddress[match.nwDst] = (answer, now + lifetime) }
            if case .remote(let mac, _, _) = answer { byMAC[mac] = (answer, now + lifetime) }
            if !isARPRequest && answer == .unknown { byMAC[match.dlDst] = (answer, now + lifetime) }
        } else if let cached = isARPRequest ? byAddress[match.nwDst] : byMAC[match.dlDst], cached.expires > now {
            resolution = cached.resolution
            counters.answeredFromCache += 1
            for entry in resolution.entries { context.annotate(entry.key, entry.value) }
        } else if context.attributes["asked.\(configuration.resolver.rawValue)"] != nil {
            // Asked, and no answer came in time: on as if nobody had seen it.
            return .continue
        } else {
            counters.asked += 1
            return .ask(configuration.resolver)
        }
        guard case .remote(let mac, _, _) = resolution else { return .continue }
        guard isARPRequest else {
            counters.sentToEdge += 1
            return .continue
        }
        // Proxy ARP: answered from the resolver's map, out of the port the request came in by.
        guard reply(to: event, answering: mac, context: context) else { return .continue }
        counters.proxyARP += 1
        return .stop
    }

    /// An ARP request for a host of this domain is answered here too, as the host would: the
    /// reply does not depend on flows that may still lead elsewhere (a switch keeps following a
    /// deleted flow for a moment, and a requester that has just arrived from another domain would
    /// lose the host's own reply to it, and ask again only a second later). A gratuitous ARP or a
    /// host asking for its own address goes on to be flooded.
    private func answerLocally(
        _ event: PacketInEvent, for mac: MACAddress, context: inout ServiceContext
    ) -> ServiceVerdict {
        let match = event.match
        guard mac != match.dlSrc, match.nwSrc != match.nwDst, context.hosts.host(mac) != nil,
            reply(to: event, answering: mac, context: context)
        else { return .continue }
        counters.answeredLocally += 1
        return .stop
    }

    /// Sends the ARP reply naming `mac` out of the port the request came in by.
    private func reply(to event: PacketInEvent, answering mac: MACAddress, context: ServiceContext) -> Bool {
        guard let frame = try? EthernetFrame(parsing: event.packetIn.data), let reply = frame.arpReply(answering: mac)
        else { return false }
        context.send(
            .packetOut(
                PacketOut(actions: [.output(port: event.packetIn.inPort, maxLength: 0)], data: reply.encoded())),
            to: event.datapathID)
        return true
    }
}
