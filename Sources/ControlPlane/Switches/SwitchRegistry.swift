import OpenFlow

/// The switches a unit controls, by DPID, with the channel each is reachable on.
///
/// A second connection with a DPID already registered replaces the first (the switch
/// reconnected, or a stale TCP session lingers): the caller closes the old channel.
public struct SwitchRegistry: Sendable {
    public typealias Connection = ConnectionID

    public struct Entry: Sendable {
        public var description: SwitchDescription
        public var connection: Connection
    }

    public private(set) var switches: [DatapathID: Entry] = [:]

    public init() {}

    public var count: Int { switches.count }
    public var datapathIDs: [DatapathID] { switches.keys.sorted() }

    public func connection(for datapathID: DatapathID) -> Connection? { switches[datapathID]?.connection }
    /// Whether the switch is connected here, asked without copying its entry out (a return's
    /// messages ask it for their switch).
    public func isConnected(_ datapathID: DatapathID) -> Bool { switches.index(forKey: datapathID) != nil }
    public func description(of datapathID: DatapathID) -> SwitchDescription? { switches[datapathID]?.description }

    /// Whether a connected switch has reported this port (and not lost it since).
    public func hasPort(_ port: HostLocation) -> Bool {
        switches[port.datapathID]?.description.ports.contains { $0.portNumber == port.port } ?? false
    }

    /// Registers a switch; returns the connection it replaces, if any.
    public mutating func register(_ description: SwitchDescription, on connection: Connection) -> Connection? {
        let previous = switches[description.datapathID]?.connection
        switches[description.datapathID] = Entry(description: description, connection: connection)
        return previous == connection ? nil : previous
    }

    /// Removes a switch, but only if `connection` still carries it: the channel a newer
    /// connection replaced must not remove its successor when it closes.
    @discardableResult
    public mutating func remove(_ datapathID: DatapathID, ifOn connection: Connection) -> Bool {
        guard switches[datapathID]?.connection == connection else { return false }
        switches[datapathID] = nil
        return true
    }

    public mutating func apply(_ status: PortStatus, to datapathID: DatapathID) {
        switches[datapathID]?.description.apply(status)
    }
}
