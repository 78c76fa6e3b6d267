import OpenFlow
import UnitProtocol

/// One test of a filter rule: (event type, direction, attribute, value). `packet_in` alone is
/// (packet_in, any, any); `src mac 00:00:00:00:00:01` is (any, src, mac 00:…:01).
public struct FilterComponent: Hashable, Sendable, CustomStringConvertible {
    /// nil: any event type.
    public var events: Set<EventCategory>?
    public var direction: FilterDirection
    /// nil: no attribute test.
    public var attribute: FilterAttribute?

    public init(events: Set<EventCategory>? = nil, direction: FilterDirection = .any, attribute: FilterAttribute? = nil)
    {
        self.events = events
        self.direction = direction
        self.attribute = attribute
    }

    public var description: String {
        var parts: [String] = []
        if let events {
            parts.append(
                events.count == 1
                    ? events.first?.rawValue ?? "" : "{" + events.map(\.rawValue).sorted().joined(separator: ",") + "}")
        }
        if let attribute {
            if direction != .any { parts.append(direction.rawValue) }
            parts.append(attribute.description)
        }
        return parts.isEmpty ? "any" : parts.joined(separator: " ")
    }
}

/// Which end of a packet an address test looks at.
public enum FilterDirection: String, Hashable, Sendable {
    case src, dst, any
}

/// An exact value to compare with.
public enum FilterAttribute: Hashable, Sendable, CustomStringConvertible {
    case dpid(DatapathID)
    case vlan(UInt16)
    case ip(IPv4Address)
    case mac(MACAddress)

    public var description: String {
        switch self {
        case .dpid(let dpid): "dpid 0x\(String(dpid.rawValue, radix: 16))"
        case .vlan(let vlan): "vlan \(vlan)"
        case .ip(let ip): "ip \(ip)"
        case .mac(let mac): "mac \(mac)"
        }
    }
}

/// A rule's expression: components joined by `and` and `or`.
public indirect enum FilterExpression: Hashable, Sendable, CustomStringConvertible {
    case component(FilterComponent)
    case and(FilterExpression, FilterExpression)
    case or(FilterExpression, FilterExpression)

    public var description: String {
        switch self {
        case .component(let component): component.description
        case .and(let left, let right): "(\(left) and \(right))"
        case .or(let left, let right): "(\(left) or \(right))"
        }
    }

    /// The expression as alternatives of conjunctions (disjunctive normal form), or nil when
    /// that takes more than `limit` conjunctions.
    func disjunctiveNormalForm(limit: Int) -> [[FilterComponent]]? {
        switch self {
        case .component(let component):
            return [[component]]
        case .or(let left, let right):
            guard let l = left.disjunctiveNormalForm(limit: limit), let r = right.disjunctiveNormalForm(limit: limit),
                l.count + r.count <= limit
            else { return nil }
            return l + r
        case .and(let left, let right):
            guard let l = left.disjunctiveNormalForm(limit: limit), let r = right.disjunctiveNormalForm(limit: limit),
                l.count * r.count <= limit
            else { return nil }
            return l.flatMap { a in r.map { b in a + b } }
        }
    }
}
