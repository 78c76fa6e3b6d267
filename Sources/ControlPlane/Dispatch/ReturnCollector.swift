import NIOCore
import OpenFlow
import UnitProtocol

/// Where a hosted service's messages go while it answers an event sent from below: they are
/// encoded into the return's list instead of going to a switch of this unit. A unit keeps one
/// and empties it for each event, so that serving an event allocates no collector and, once the
/// return that shared its buffer is gone, no buffer either.
final class ReturnCollector: SwitchMessageSink {
    private(set) var messages = EventReturn.SwitchMessageList()

    func send(_ body: OpenFlowMessage.Body, to datapathID: DatapathID) {
        messages.append(body, to: datapathID)
    }

    /// Keeps the messages `keep` accepts; returns how many it refused.
    func keep(where keep: (DatapathID) -> Bool) -> Int {
        let before = messages.count
        if let sole = messages.soleDatapathID {
            // All for one switch, as most answers are: one question for the lot.
            if keep(sole) { return 0 }
            messages.removeAll()
            return before
        }
        messages = messages.filter { keep($0.datapathID) }
        return before - messages.count
    }

    func reset() {
        messages.removeAll()
    }
}
