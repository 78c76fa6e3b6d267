import NIOCore
import OpenFlow
import UnitProtocol

/// Everything a unit controller sends: to its switches (with an xid of its choosing, for
/// answers that must carry the switch's own) and to neighbouring units.
public protocol ControllerOutput: SwitchMessageSink {
    func send(_ message: OpenFlowMessage, to datapathID: DatapathID)
    /// Messages a service above sent for this unit's switches, as the checked bytes they came
    /// in (each to its `datapathID`), with `xid` in their headers, or ones the channels choose.
    func forward(_ messages: EventReturn.SwitchMessageList, xid: UInt32?)
    func send(_ message: UnitMessage, to unit: UnitID)
    /// The event this unit is dispatching, escalated for one service (as
    /// `NetworkEvent.escalated(transaction:sid:domain:deadline:)` makes it) to a neighbour.
    func sendEvent(_ event: NetworkEvent, _ send: EventSend, domain: UnitID)
    /// A hosted service's answer to an event a neighbour below sent (as `EventReturn` holds it).
    func sendReturn(
        transaction: UInt32, sid: ServiceID, verdict: ReturnVerdict, messages: EventReturn.SwitchMessageList,
        bypass: [MACAddress], context: [ContextEntry], to unit: UnitID)
    /// Something a neighbour sent was refused (already counted): the runtime logs it.
    func rejected(_ rejection: DispatchRejection)
    /// Link discovery did not believe or apply something that arrived at `port` (already counted).
    func topologyWarning(_ warning: TopologyWarning, at port: HostLocation)
}

extension ControllerOutput {
    /// An output with no log says nothing of it.
    public func topologyWarning(_ warning: TopologyWarning, at port: HostLocation) {}

    /// An output that writes no bytes of its own builds the event.
    public func sendEvent(_ event: NetworkEvent, _ send: EventSend, domain: UnitID) {
        self.send(
            .event(
                event.escalated(transaction: send.transaction, sid: send.sid, domain: domain, deadline: send.deadline)),
            to: send.unit)
    }

    /// Likewise the return.
    public func sendReturn(
        transaction: UInt32, sid: ServiceID, verdict: ReturnVerdict, messages: EventReturn.SwitchMessageList,
        bypass: [MACAddress], context: [ContextEntry], to unit: UnitID
    ) {
        send(
            .eventReturn(
                EventReturn(
                    transaction: transaction, sid: sid, verdict: verdict, messages: messages, bypass: bypass,
                    context: context)), to: unit)
    }
}
