import UnitProtocol

/// The event categories are part of the unit protocol (units exchange subscriptions); the
/// control plane names them as its own.
public typealias EventCategory = UnitProtocol.EventCategory
