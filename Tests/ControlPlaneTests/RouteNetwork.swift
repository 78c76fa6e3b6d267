import ControlPlane
import NIOCore
import Testing
import UnitProtocol

/// Units' route tables wired together by in-memory channels: messages are delivered in the
/// order they were sent, as on TCP, until nothing is left to deliver.
struct RouteNetwork {
    private(set) var tables: [UnitID: RouteTable] = [:]
    private var hosted: [UnitID: [ServiceID]] = [:]
    /// Open channels: (a, b) → how b relates to a.
    private var channels: [Pair: ChannelRelation] = [:]
    /// Channels to restore when a killed unit comes back.
    private var configured: [(lower: UnitID, upper: UnitID, relation: ChannelRelation)] = []
    private var queue: [(from: UnitID, to: UnitID, message: UnitMessage)] = []
    private(set) var delivered = 0
    var now = NIODeadline.uptimeNanoseconds(1_000_000_000)

    struct Pair: Hashable {
        let from: UnitID
        let to: UnitID
    }

    mutating func addUnit(_ uid: UInt32, hosting sids: [UInt32] = []) {
        let unit = UnitID(uid)
        var table = RouteTable(localUnit: unit)
        hosted[unit] = sids.map { ServiceID($0) }
        for sid in sids { enqueue(from: unit, table.host(ServiceID(sid), now: now)) }
        tables[unit] = table
    }

    /// `lower` dials `upper`, a unit of a higher tier.
    mutating func connect(_ lower: UInt32, upstream upper: UInt32) {
        configured.append((UnitID(lower), UnitID(upper), .upstream))
        open(UnitID(lower), UnitID(upper), relation: .upstream)
    }

    mutating func peer(_ a: UInt32, _ b: UInt32) {
        configured.append((UnitID(a), UnitID(b), .peer))
        open(UnitID(a), UnitID(b), relation: .peer)
    }

    private mutating func open(_ a: UnitID, _ b: UnitID, relation: ChannelRelation) {
        guard tables[a] != nil, tables[b] != nil else { return }
        let back: ChannelRelation = relation == .upstream ? .downstream : relation
        channels[Pair(from: a, to: b)] = relation
        channels[Pair(from: b, to: a)] = back
        do {
            enqueue(from: a, try tables[a]?.channelUp(b, relation: relation, now: now) ?? [])
            enqueue(from: b, try tables[b]?.channelUp(a, relation: back, now: now) ?? [])
        } catch {
            Issue.record("channel \(a)–\(b) refused: \(error)")
        }
    }

    /// Both ends see the channel die (a dead-channel timeout or a closed socket).
    mutating func cut(_ a: UInt32, _ b: UInt32) {
        let (a, b) = (UnitID(a), UnitID(b))
        channels[Pair(from: a, to: b)] = nil
        channels[Pair(from: b, to: a)] = nil
        enqueue(from: a, tables[a]?.channelDown(b, now: now) ?? [])
        enqueue(from: b, tables[b]?.channelDown(a, now: now) ?? [])
    }

    /// The unit's process dies: every neighbour sees its channel close.
    mutating func kill(_ uid: UInt32) {
        let unit = UnitID(uid)
        for pair in channels.keys where pair.from == unit { cut(uid, pair.to.rawValue) }
        tables[unit] = nil
    }

    /// The unit starts again with its configuration and redials its neighbours.
    mutating func restart(_ uid: UInt32) {
        addUnit(uid, hosting: (hosted[UnitID(uid)] ?? []).map(\.rawValue))
        for link in configured where link.lower.rawValue == uid || link.upper.rawValue == uid {
            open(link.lower, link.upper, relation: link.relation)
        }
    }

    private mutating func enqueue(from: UnitID, _ actions: [RouteTableAction]) {
        for case .send(let message, let to) in actions { queue.append((from, to, message)) }
    }

    /// Delivers until quiet; returns the number of messages delivered. A run that does not
    /// settle within `limit` messages is an advertisement loop, and fails the test.
    @discardableResult
    mutating func settle(limit: Int = 100_000) -> Int {
        var count = 0
        while !queue.isEmpty {
            let (from, to, message) = queue.removeFirst()
            guard channels[Pair(from: to, to: from)] != nil, var table = tables[to] else { continue }
            count += 1
            guard count <= limit else {
                Issue.record("no convergence after \(limit) messages")
                return count
            }
            do {
                switch message {
                case .routeAdvertisement(let advertisement):
                    enqueue(from: to, try table.received(advertisement, from: from, now: now))
                case .routeWithdrawal(let withdrawal):
                    enqueue(from: to, try table.received(withdrawal, from: from, now: now))
                default: Issue.record("unexpected \(message.type)")
                }
            } catch {
                Issue.record("\(to) refused a message from \(from): \(error)")
            }
            tables[to] = table
        }
        delivered += count
        return count
    }

    /// A unit's table as (SID → next hop or "local", hops).
    func table(_ uid: UInt32) -> [UInt32: String] {
        var result: [UInt32: String] = [:]
        for (sid, route) in tables[UnitID(uid)]?.routes ?? [:] {
            result[sid.rawValue] = "\(route.nextHop.map { "\($0.rawValue)" } ?? "local")/\(route.hops)"
        }
        return result
    }
}
