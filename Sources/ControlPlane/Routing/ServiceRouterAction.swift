import UnitProtocol

/// What the service router asks the runtime to do, in the order given.
public enum ServiceRouterAction: Hashable, Sendable {
    /// From now on the unit's messages travel on this channel (it won the handshake, or won
    /// over a duplicate). The runtime keeps this map and checks, for each event or return a
    /// channel reads, that the channel is the one bound to its unit.
    case bind(UnitID, UnitChannelID)
    /// The unit has no channel any more.
    case unbind(UnitID)
    /// Close this channel: another one joins the same two units and wins the tie-break.
    case closeDuplicate(UnitChannelID)
    /// Close this channel for breaking the routing protocol, with the reason.
    case refuse(UnitChannelID, reason: String)
    /// Send a routing message (advertisement, withdrawal, exports update) to a neighbour now.
    case send(UnitMessage, to: UnitID)
    /// The best route to a service changed (nil: none any more); for the log.
    case routeChanged(ServiceID, Route?)
    /// The services above, as the dispatcher needs them, are now these.
    case servicesAboveChanged([RemoteService])
    /// A unit below went away: its switches are no longer below this unit.
    case downstreamGone(UnitID)
}

/// Where a unit message read on an established channel goes, by its type and the relation of
/// the channel it came on (`ServiceRouter.destination(of:from:)`).
public enum UnitMessageDestination: Hashable, Sendable {
    /// An event or a return: to the dispatcher.
    case dispatcher
    /// Routes and exports: to the service router.
    case router
    /// Breaks the hierarchy: counted and logged, the channel stays (it is not malformed).
    case refused(DispatchRejection)
}
