import OpenFlow

/// The flows operators pushed, by name, and what each change must send to the switches.
///
/// The table outlives connections: a switch that reconnects is given its flows again, and a
/// flow that a switch reports removed by a delete it did not come from (a service's broad
/// delete of a host's flows, say) is installed again. One that expired is forgotten, as
/// Floodlight forgets it.
public struct StaticFlowTable: Sendable {
    private var byName: [String: StaticFlow] = [:]

    public init() {}

    public var count: Int { byName.count }

    /// Every flow, by switch and then by name.
    public var flows: [StaticFlow] {
        byName.values.sorted { ($0.datapathID, $0.name) < ($1.datapathID, $1.name) }
    }

    public func flows(on datapathID: DatapathID) -> [StaticFlow] {
        flows.filter { $0.datapathID == datapathID }
    }

    public subscript(name: String) -> StaticFlow? { byName[name] }

    /// Adds a flow or replaces the one of the same name. Another flow that held the same
    /// entry of the same switch is replaced too: the switch keeps only one of them.
    public mutating func push(_ flow: StaticFlow) -> StaticFlowChange {
        var change = StaticFlowChange()
        // Whether the switch holds a flow at the pushed flow's entry now.
        var entryInstalled = false
        if let previous = byName[flow.name], previous.active {
            if previous.occupiesSameEntry(as: flow) {
                entryInstalled = true
            } else {
                change.send(previous.removal, to: previous.datapathID)
            }
        }
        for other in byName.values where other.name != flow.name && other.occupiesSameEntry(as: flow) {
            byName[other.name] = nil
            change.displaced.append(other.name)
            entryInstalled = entryInstalled || other.active
        }
        byName[flow.name] = flow
        if flow.active {
            change.send(flow.installation, to: flow.datapathID)
        } else if entryInstalled {
            change.send(flow.removal, to: flow.datapathID)
        }
        return change
    }

    /// Removes a flow by name; nil when there is none.
    public mutating func remove(named name: String) -> StaticFlowChange? {
        guard let flow = byName.removeValue(forKey: name) else { return nil }
        var change = StaticFlowChange()
        change.send(flow.removal, to: flow.datapathID)
        change.removed.append(flow.name)
        return change
    }

    /// Removes every flow of a switch, or of every switch.
    public mutating func clear(on datapathID: DatapathID?) -> StaticFlowChange {
        var change = StaticFlowChange()
        for flow in flows where datapathID == nil || flow.datapathID == datapathID {
            byName[flow.name] = nil
            change.send(flow.removal, to: flow.datapathID)
            change.removed.append(flow.name)
        }
        return change
    }

    /// What a switch that (re)connected must be given.
    public func installations(on datapathID: DatapathID) -> [FlowMod] {
        flows(on: datapathID).filter(\.active).map(\.installation)
    }

    /// A switch reported a flow removed. A static flow deleted by someone else is installed
    /// again; one that timed out is forgotten.
    public mutating func flowRemoved(_ removed: FlowRemoved, on datapathID: DatapathID) -> StaticFlowChange {
        var change = StaticFlowChange()
        let match = removed.match.canonical
        guard
            let flow = byName.values.first(where: {
                $0.datapathID == datapathID && $0.active && $0.priority == removed.priority && $0.match == match
            })
        else { return change }
        if removed.reason == .delete {
            change.send(flow.installation, to: datapathID)
            change.reinstalled.append(flow.name)
        } else {
            byName[flow.name] = nil
            change.removed.append(flow.name)
        }
        return change
    }
}

/// What a change to the static flow table sends, and which names it affected.
public struct StaticFlowChange: Sendable {
    public var messages: [(datapathID: DatapathID, flowMod: FlowMod)] = []
    /// Flows of other names that held the pushed flow's entry and were dropped from the table.
    public var displaced: [String] = []
    public var removed: [String] = []
    public var reinstalled: [String] = []

    mutating func send(_ flowMod: FlowMod, to datapathID: DatapathID) {
        messages.append((datapathID, flowMod))
    }
}
