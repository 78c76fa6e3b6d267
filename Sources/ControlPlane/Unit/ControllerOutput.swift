import OpenFlow
import UnitProtocol

/// Everything a unit controller sends: to its switches (with an xid of its choosing, for
/// answers that must carry the switch's own) and to neighbouring units.
public protocol ControllerOutput: SwitchMessageSink {
    func send(_ message: OpenFlowMessage, to datapathID: DatapathID)
    /// A message a service above sent for one of this unit's switches, as the checked bytes it
    /// came in (to its `datapathID`), with `xid` in its header, or one the channel chooses.
    func forward(_ message: EventReturn.SwitchMessage, xid: UInt32?)
    func send(_ message: UnitMessage, to unit: UnitID)
    /// Something a neighbour sent was refused (already counted): the runtime logs it.
    func rejected(_ rejection: DispatchRejection)
}
