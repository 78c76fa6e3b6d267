import OpenFlow

/// What a command from above withdrew in this unit's domain.
public struct AppliedWithdrawals: Hashable, Sendable {
    /// Every device the command named: what the unit learned about them from the service goes.
    public var withdrawn: [MACAddress] = []
    /// Those whose BYPASS for the service the command ended (an authenticator revoked them):
    /// they must be judged again, so the unit forgets them too.
    public var bypassEnded: [MACAddress] = []

    public init(withdrawn: [MACAddress] = [], bypassEnded: [MACAddress] = []) {
        self.withdrawn = withdrawn
        self.bypassEnded = bypassEnded
    }
}
