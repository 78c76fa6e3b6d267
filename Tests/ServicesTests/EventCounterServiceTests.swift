import ControlPlane
import NIOCore
import OpenFlow
import Services
import Testing

@Suite struct EventCounterServiceTests {
    final class NoSink: SwitchMessageSink {
        func send(_ body: OpenFlowMessage.Body, to datapathID: DatapathID) {}
    }

    @Test func countsWhatItSubscribesToAndLetsItPass() {
        let counter = EventCounterService(subscriptions: [.switchRemoved])
        var context = ServiceContext(now: .uptimeNanoseconds(0), hosts: HostTracker(), sink: NoSink())
        #expect(counter.handle(.switchRemoved(DatapathID(1)), context: &context) == .continue)
        #expect(counter.handle(.switchRemoved(DatapathID(2)), context: &context) == .continue)
        #expect(counter.counts == [.switchRemoved: 2])
        #expect(ProcessChain(services: [counter]).wants(.switchRemoved))
        #expect(!ProcessChain(services: [counter]).wants(.packetIn))
    }
}
