import OpenFlow
import UnitProtocol

/// What filters can test about an event: its category and the addresses it carries.
public struct FilterSubject: Hashable, Sendable {
    public var category: EventCategory
    public var datapathID: DatapathID?
    public var vlan: UInt16?
    public var sourceMAC: MACAddress?
    public var destinationMAC: MACAddress?
    public var sourceIP: IPv4Address?
    public var destinationIP: IPv4Address?

    public init(
        category: EventCategory, datapathID: DatapathID? = nil, vlan: UInt16? = nil, sourceMAC: MACAddress? = nil,
        destinationMAC: MACAddress? = nil, sourceIP: IPv4Address? = nil, destinationIP: IPv4Address? = nil
    ) {
        self.category = category
        self.datapathID = datapathID
        self.vlan = vlan
        self.sourceMAC = sourceMAC
        self.destinationMAC = destinationMAC
        self.sourceIP = sourceIP
        self.destinationIP = destinationIP
    }

    /// A device event's host is its source; a switch event has only its DPID.
    public init(_ event: borrowing NetworkEvent) {
        // Borrowed: an initializer's parameters are otherwise taken owned, and every event
        // matched against the filters was copied for it.
        self.init(category: event.category)
        switch event {
        case .packetIn(let packetIn):
            let match = packetIn.match
            datapathID = packetIn.datapathID
            vlan = match.dlVlan == Match.vlanNone ? nil : match.dlVlan
            sourceMAC = match.dlSrc
            destinationMAC = match.dlDst
            if match.dlType == 0x0800 || match.dlType == 0x0806 {
                sourceIP = match.nwSrc
                destinationIP = match.nwDst
            }
        case .switchAdded(let description):
            datapathID = description.datapathID
        case .switchPortChanged(let dpid, _), .switchRemoved(let dpid), .portStatus(let dpid, _), .vendor(let dpid, _):
            datapathID = dpid
        case .deviceAdded(let host), .deviceRemoved(let host), .deviceChanged(let host, _):
            datapathID = host.location.datapathID
            vlan = host.vlan
            sourceMAC = host.mac
            sourceIP = host.ipv4
        case .linkAdded(let link), .linkRemoved(let link):
            datapathID = link.near.datapathID
        }
    }
}

extension FilterComponent {
    /// The attribute test alone (the event-type test is done on category bits by the table).
    func matchesAttribute(_ subject: FilterSubject) -> Bool {
        guard let attribute else { return true }
        switch attribute {
        case .dpid(let dpid): return subject.datapathID == dpid
        case .vlan(let vlan): return subject.vlan == vlan
        case .mac(let mac):
            switch direction {
            case .src: return subject.sourceMAC == mac
            case .dst: return subject.destinationMAC == mac
            case .any: return subject.sourceMAC == mac || subject.destinationMAC == mac
            }
        case .ip(let ip):
            switch direction {
            case .src: return subject.sourceIP == ip
            case .dst: return subject.destinationIP == ip
            case .any: return subject.sourceIP == ip || subject.destinationIP == ip
            }
        }
    }
}
