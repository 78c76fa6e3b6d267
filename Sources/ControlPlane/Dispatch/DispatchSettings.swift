import NIOCore

/// The dispatcher's bounds. Every table it keeps is bounded, so that no neighbour can make a
/// unit grow without limit.
public struct DispatchSettings: Hashable, Sendable {
    /// DIVERTed events waiting for their answers, at most.
    public var parkedCapacity: Int
    /// Transactions sent up and not yet answered, at most.
    public var transactionCapacity: Int
    /// How long a transaction is remembered (SPLIT copies and relayed events are answered, if
    /// at all, within it). A DIVERTed event never waits longer than this.
    public var transactionLifetime: TimeAmount
    /// Returns one transaction may receive (partial ones, then the final one); more is a flood.
    public var returnsPerTransaction: Int
    /// Hard timeout, in seconds, of the drop flow a DENY installs.
    public var dropFlowSeconds: UInt16
    /// Events one switch may have open above at a time before the unit stops reading it
    /// (`Backpressure`).
    public var switchWindow: Int

    public init(
        parkedCapacity: Int = 10_000, transactionCapacity: Int = 65_536, transactionLifetime: TimeAmount = .seconds(10),
        returnsPerTransaction: Int = 64, dropFlowSeconds: UInt16 = 10, switchWindow: Int = 512
    ) {
        self.switchWindow = switchWindow
        self.parkedCapacity = parkedCapacity
        self.transactionCapacity = transactionCapacity
        self.transactionLifetime = transactionLifetime
        self.returnsPerTransaction = returnsPerTransaction
        self.dropFlowSeconds = dropFlowSeconds
    }
}
