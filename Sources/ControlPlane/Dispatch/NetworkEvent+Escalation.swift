import NIOCore
import OpenFlow
import Packets
import UnitProtocol

/// Network events as they travel between units (`EscalatedEvent`), and back.
extension NetworkEvent {
    /// The switch the event is about (for device events, where the host attaches).
    public var datapathID: DatapathID {
        switch self {
        case .switchAdded(let description): description.datapathID
        case .switchPortChanged(let dpid, _), .switchRemoved(let dpid), .portStatus(let dpid, _), .vendor(let dpid, _):
            dpid
        case .packetIn(let event): event.datapathID
        case .deviceAdded(let host), .deviceRemoved(let host), .deviceChanged(let host, _): host.location.datapathID
        case .linkAdded(let link), .linkRemoved(let link): link.near.datapathID
        }
    }

    /// The device the event belongs to, for BYPASS: a PACKET_IN's source, a device event's host.
    public var deviceMAC: MACAddress? {
        switch self {
        case .packetIn(let event): event.match.dlSrc
        case .deviceAdded(let host), .deviceRemoved(let host), .deviceChanged(let host, _): host.mac
        default: nil
        }
    }

    /// The transaction id a switch gave the message, for answers that must carry it.
    public var switchXID: UInt32? {
        if case .packetIn(let event) = self { return event.xid }
        return nil
    }

    /// The unit-protocol form of this event, for one service, carrying the deadline of its answer
    /// in this unit's clock.
    public func escalated(
        transaction: UInt32, sid: ServiceID, domain: UnitID, deadline: NIODeadline? = nil
    ) -> EscalatedEvent {
        let payload: EscalatedEvent.Payload =
            switch self {
            case .switchAdded(let description): .message(OpenFlowMessage(xid: 0, .featuresReply(description.features)))
            case .switchPortChanged(_, let status), .portStatus(_, let status):
                .message(OpenFlowMessage(xid: 0, .portStatus(status)))
            case .switchRemoved: .none
            case .packetIn(let event): .message(OpenFlowMessage(xid: event.xid, .packetIn(event.packetIn)))
            case .vendor(_, let vendor): .message(OpenFlowMessage(xid: 0, .vendor(vendor)))
            case .deviceAdded(let host), .deviceRemoved(let host): .device(DeviceRecord(host, change: nil))
            case .deviceChanged(let host, let change): .device(DeviceRecord(host, change: change))
            case .linkAdded(let link), .linkRemoved(let link): .link(LinkRecord(link))
            }
        return EscalatedEvent(
            transaction: transaction, sid: sid, domain: domain, category: category,
            deadline: deadline?.uptimeNanoseconds ?? 0, datapathID: datapathID, payload: payload)
    }

    /// Appends this event as the ECH_EVENT `escalated(transaction:sid:domain:deadline:)` makes,
    /// in a unit message with `xid`: a PACKET_IN is written from its parts, building no event value.
    public func writeEscalated(
        transaction: UInt32, sid: ServiceID, domain: UnitID, deadline: NIODeadline, to buffer: inout ByteBuffer,
        xid: UInt32
    ) {
        guard case .packetIn(let event) = self else {
            UnitMessage.event(escalated(transaction: transaction, sid: sid, domain: domain, deadline: deadline)).write(
                to: &buffer, xid: xid)
            return
        }
        UnitMessage.writeEvent(
            transaction: transaction, sid: sid, domain: domain, category: .packetIn,
            deadline: deadline.uptimeNanoseconds, datapathID: event.datapathID, messageXID: event.xid,
            .packetIn(event.packetIn), to: &buffer, xid: xid)
    }

    /// The event an escalated event carries. Its payload was checked against its category when
    /// it was parsed; a value built otherwise that does not agree is refused here (nil).
    public init?(_ escalated: EscalatedEvent) {
        let dpid = escalated.datapathID
        // Nearly every event is a PACKET_IN: matched first, without copying the payload into the
        // tuple the general case switches on.
        if escalated.category == .packetIn {
            guard case .message(let message) = escalated.payload, case .packetIn(let packetIn) = message.body else {
                return nil
            }
            let match = Match(extractingFrom: packetIn.data, inPort: packetIn.inPort)
            self = .packetIn(PacketInEvent(datapathID: dpid, xid: message.xid, packetIn: packetIn, match: match))
            return
        }
        switch (escalated.category, escalated.payload) {
        case (.switchAdded, .message(let message)):
            guard case .featuresReply(let features) = message.body, features.datapathID == dpid else { return nil }
            self = .switchAdded(SwitchDescription(features: features))
        case (.switchPortChanged, .message(let message)):
            guard case .portStatus(let status) = message.body else { return nil }
            self = .switchPortChanged(dpid, status)
        case (.portStatus, .message(let message)):
            guard case .portStatus(let status) = message.body else { return nil }
            self = .portStatus(dpid, status)
        case (.switchRemoved, _):
            self = .switchRemoved(dpid)
        case (.vendor, .message(let message)):
            guard case .vendor(let vendor) = message.body else { return nil }
            self = .vendor(dpid, vendor)
        case (.deviceAdded, .device(let device)):
            self = .deviceAdded(device.host(on: dpid))
        case (.deviceRemoved, .device(let device)):
            self = .deviceRemoved(device.host(on: dpid))
        case (.deviceChanged, .device(let device)):
            guard let change = device.change else { return nil }
            let hostChange: HostChange =
                switch change {
                case .ipv4(let from): .ipv4(from: from)
                case .vlan(let from): .vlan(from: from)
                case .moved(let from, let port): .moved(from: HostLocation(datapathID: from, port: port))
                }
            self = .deviceChanged(device.host(on: dpid), hostChange)
        case (.linkAdded, .link(let link)):
            self = .linkAdded(link.link(from: dpid))
        case (.linkRemoved, .link(let link)):
            self = .linkRemoved(link.link(from: dpid))
        default:
            return nil
        }
    }
}

extension DeviceRecord {
    init(_ host: Host, change: HostChange?) {
        let recorded: Change? =
            switch change {
            case nil: nil
            case .ipv4(let from): .ipv4(from: from)
            case .vlan(let from): .vlan(from: from)
            case .moved(let from): .moved(from: from.datapathID, port: from.port)
            }
        self.init(mac: host.mac, vlan: host.vlan, ipv4: host.ipv4, port: host.location.port, change: recorded)
    }

    func host(on datapathID: DatapathID) -> Host {
        Host(mac: mac, vlan: vlan, ipv4: ipv4, location: HostLocation(datapathID: datapathID, port: port))
    }
}

extension LinkRecord {
    init(_ link: DiscoveredLink) {
        self.init(
            port: link.near.port, farDatapathID: link.far.datapathID, farPort: link.far.port, farUnit: link.farUnit,
            suppressed: link.suppressed)
    }

    func link(from datapathID: DatapathID) -> DiscoveredLink {
        DiscoveredLink(
            near: HostLocation(datapathID: datapathID, port: port),
            far: HostLocation(datapathID: farDatapathID, port: farPort), farUnit: farUnit, suppressed: suppressed)
    }
}
