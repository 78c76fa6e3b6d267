import NIOCore
import OpenFlow
import Packets

/// Carries LLDP frames over the fabric's cables, as a switch and a cable would: a frame the
/// controller sends out of a wired port (a PACKET_OUT) arrives at the switch at the far end as
/// a PACKET_IN on the far port. That is how the controller discovers the links; it checks the
/// probes' signatures itself, so the frame's bytes are carried unchanged.
///
/// Only LLDP is carried: the controller's floods of host traffic would go round every cable and
/// come back as more PACKET_INs, load no benchmark here asks for.
final class FabricRelay {
    let fabric: Fabric
    private let roster: SwitchRoster
    /// The ports that have sent a frame over their cable: every direction of every cable has
    /// carried a probe when there are twice as many as cables.
    private var sendingEnds: Set<Fabric.End> = []
    /// Frames carried, and frames sent out of a port with no cable (or to a switch not yet
    /// configured).
    private(set) var carried: UInt64 = 0
    private(set) var dropped: UInt64 = 0

    init(fabric: Fabric, roster: SwitchRoster) {
        self.fabric = fabric
        self.roster = roster
    }

    /// Cable directions that have carried a frame.
    var directionsCarried: Int { sendingEnds.count }

    /// A PACKET_OUT without a buffer that switch `switchIndex` received: its frame goes over the
    /// cable of each port it is output on, if it is LLDP.
    func packetOut(_ frame: ByteBuffer, at switchIndex: Int) {
        var bytes = frame
        guard let message = try? OpenFlowMessage(parsing: &bytes), case .packetOut(let packetOut) = message.body,
            packetOut.data.getInteger(at: packetOut.data.readerIndex + 12, as: UInt16.self) == EtherType.lldp.rawValue
        else { return }
        for action in packetOut.actions {
            guard case .output(let port, _) = action, port.isPhysical else { continue }
            guard let far = fabric.farEnd(of: switchIndex, port: port.rawValue), let member = roster[far.switchIndex]
            else {
                dropped += 1
                continue
            }
            sendingEnds.insert(Fabric.End(switchIndex: switchIndex, port: port.rawValue))
            carried += 1
            member.deliver(packetOut.data, inPort: far.port)
        }
    }
}
