import UnitProtocol

/// What the route table asks the runtime to do.
public enum RouteTableAction: Hashable, Sendable {
    /// Send a unit message (an advertisement or a withdrawal) on the channel to a neighbour.
    case send(UnitMessage, to: UnitID)
    /// The best route to a service changed (nil: no route any more). Filters and pending work
    /// that name the SID follow it.
    case routeChanged(ServiceID, Route?)
}

/// Why an advertisement or withdrawal was refused; the runtime logs it and closes the channel,
/// whose routes are then withdrawn like those of any channel that dies.
public struct RouteTableError: Error, Hashable, Sendable, CustomStringConvertible {
    public var neighbour: UnitID
    public var reason: String

    public init(neighbour: UnitID, reason: String) {
        self.neighbour = neighbour
        self.reason = reason
    }

    public var description: String { "routes from \(neighbour) refused: \(reason)" }
}
