/// How a unit channel relates its two ends in the hierarchy.
public enum ChannelRelation: String, Hashable, Sendable, Codable, CaseIterable {
    /// We dialed a unit of a higher tier: it serves us.
    case upstream
    /// A unit of a lower tier dialed us: we serve it.
    case downstream
    /// A unit of the same tier: neither serves the other, but each relays what it learned
    /// from above to the other.
    case peer
}
