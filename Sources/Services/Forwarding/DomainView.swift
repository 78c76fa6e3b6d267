import ControlPlane
import OpenFlow

/// The domain as forwarding sees it through events: its switches and their ports, the links
/// between them (and so the spanning tree floods take), and the domain edges. Forwarding keeps
/// its own rather than reading the unit's, since it may run in a unit above the one that
/// discovers the links.
struct DomainView {
    private(set) var graph = TopologyGraph()
    /// Each switch's physical ports that are up (a down port forwards nothing).
    private var livePorts: [DatapathID: Set<PortNumber>] = [:]
    /// Ports where another unit's switch is at the far end: never flooded through, no host's.
    private(set) var domainEdges: Set<HostLocation> = []
    /// The ports each switch floods through, built on first use and dropped whenever a switch,
    /// port or link changes: one list per switch (not per input port), since a thousand
    /// switches' lists are held at once.
    private var floodPorts: [DatapathID: [PortNumber]] = [:]

    func knows(_ datapathID: DatapathID) -> Bool { livePorts[datapathID] != nil }

    /// Where a host may attach: a physical port carrying no link and no domain edge.
    func isEdgePort(_ location: HostLocation) -> Bool {
        location.port.isPhysical && !graph.isLinkPort(location)
            && (domainEdges.isEmpty || !domainEdges.contains(location))
    }

    /// Whether a flood that arrived on this port goes on: from a host, or over the tree. A
    /// frame on a link off the tree is a copy that went round a loop.
    func acceptsFlood(from location: HostLocation) -> Bool {
        !domainEdges.contains(location) && graph.floods(through: location)
    }

    /// The ports a frame flooded from `location` leaves by: every live port of its switch that
    /// is a host's or on the spanning tree, except the one it came in by.
    mutating func floodActions(from location: HostLocation) -> [Action] {
        let ports: [PortNumber]
        if let known = floodPorts[location.datapathID] {
            ports = known
        } else {
            ports = (livePorts[location.datapathID] ?? []).sorted().filter { port in
                let candidate = HostLocation(datapathID: location.datapathID, port: port)
                return !domainEdges.contains(candidate) && graph.floods(through: candidate)
            }
            floodPorts[location.datapathID] = ports
        }
        return ports.compactMap { $0 == location.port ? nil : Action.output(port: $0, maxLength: 0) }
    }

    // MARK: Changes

    mutating func addSwitch(_ description: SwitchDescription) {
        graph.addSwitch(description.datapathID)
        livePorts[description.datapathID] = Set(
            description.ports.filter { $0.portNumber.isPhysical && $0.isUp }.map(\.portNumber))
        floodPorts = [:]
    }

    /// A switch left: returns the links that went with it.
    mutating func removeSwitch(_ datapathID: DatapathID) -> [TopologyLink] {
        livePorts[datapathID] = nil
        domainEdges = domainEdges.filter { $0.datapathID != datapathID }
        floodPorts = [:]
        return graph.removeSwitch(datapathID)
    }

    /// A port changed; returns whether it is down (or gone) now. A switch not seen before
    /// (its switch-added was not sent to this service) is learned port by port.
    mutating func apply(_ status: PortStatus, on datapathID: DatapathID) -> Bool {
        let port = status.port.portNumber
        let live = port.isPhysical && !status.leavesPortDown
        graph.addSwitch(datapathID)
        if live {
            livePorts[datapathID, default: []].insert(port)
        } else {
            livePorts[datapathID, default: []].remove(port)
        }
        floodPorts = [:]
        return !live
    }

    /// A link was found: returns the links it replaced (a port that led elsewhere before), or
    /// nil when nothing changed.
    mutating func addLink(_ link: DiscoveredLink) -> [TopologyLink]? {
        floodPorts = [:]
        guard let inside = link.topologyLink else {
            return domainEdges.insert(link.near).inserted ? [] : nil
        }
        graph.addSwitch(inside.a.datapathID)
        graph.addSwitch(inside.b.datapathID)
        return graph.addLink(inside, blocked: link.suppressed)
    }

    /// A link is gone: returns it when it was known.
    mutating func removeLink(_ link: DiscoveredLink) -> TopologyLink? {
        floodPorts = [:]
        guard let inside = link.topologyLink else {
            domainEdges.remove(link.near)
            return nil
        }
        return graph.removeLink(inside)
    }

    /// A port went down: the link on it, if any, is gone.
    mutating func removeLink(on port: HostLocation) -> TopologyLink? {
        domainEdges.remove(port)
        floodPorts = [:]
        return graph.removePort(port)
    }

}
