import UnitProtocol

/// How the actions of every service whose filter matched an event combine into the one thing
/// the unit does with it: allow < deny | split < divert, and deny with split makes divert
/// (the event must go up, and must not go on here, which is what DIVERT means).
public enum ProcessChainConsensus {
    public static func combine(_ actions: some Sequence<ProcessChainAction>) -> ProcessChainAction {
        var deny = false
        var split = false
        for action in actions {
            switch action {
            case .divert: return .divert
            case .deny: deny = true
            case .split: split = true
            case .allow: break
            }
        }
        if deny && split { return .divert }
        if deny { return .deny }
        if split { return .split }
        return .allow
    }

    /// The pairwise form, for folding.
    public static func combine(_ left: ProcessChainAction, _ right: ProcessChainAction) -> ProcessChainAction {
        combine([left, right])
    }
}
