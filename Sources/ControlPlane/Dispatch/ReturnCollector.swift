import OpenFlow

/// Where a hosted service's messages go while it answers an event sent from below: they are
/// gathered into the return instead of going to a switch of this unit.
final class ReturnCollector: SwitchMessageSink {
    private(set) var messages: [(DatapathID, OpenFlowMessage.Body)] = []

    func send(_ body: OpenFlowMessage.Body, to datapathID: DatapathID) {
        messages.append((datapathID, body))
    }
}
