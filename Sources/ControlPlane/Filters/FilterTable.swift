import OpenFlow
import UnitProtocol

/// A rule that did not compile, with which one of a service's rules it was.
public struct FilterRuleError: Error, Hashable, Sendable, CustomStringConvertible {
    public var sid: ServiceID
    public var rule: Int
    public var error: FilterParseError

    public init(sid: ServiceID, rule: Int, error: FilterParseError) {
        self.sid = sid
        self.rule = rule
        self.error = error
    }

    public var description: String { "\(sid) rule \(rule): \(error)" }
}

/// The filters units install for the services above them, compiled into an index.
///
/// Each rule is turned into alternatives of conjunctions; each conjunction is filed under one
/// exact value it tests (a MAC, else an IP, else a DPID, else a VLAN), or, when it tests none,
/// under the event categories it accepts. Matching an event looks up its own addresses and
/// category in those hash tables and checks only the conjunctions found there, so the cost
/// follows the number of rules that could match, not the number installed.
///
/// The table stores SIDs, never next hops: the caller asks the route table where a SID is now,
/// so a filter follows its service's current route without being reinstalled.
public struct FilterTable: Sendable {
    /// Conjunctions per rule at most; `(a or b) and (c or d) …` multiplies them.
    public static let conjunctionLimit = 64

    struct Conjunction: Sendable {
        var sid: ServiceID
        var components: [FilterComponent]
        /// The event categories all components accept, as bits by `EventCategory.index`: a
        /// category's own hash is its name, too slow to test on every event.
        var categories: UInt16
        /// The components that test an attribute (the event test is in `categories`).
        var tests: [FilterComponent]

        init(sid: ServiceID, components: [FilterComponent]) {
            self.sid = sid
            self.components = components
            self.categories = components.reduce(EventCategory.mask(of: Set(EventCategory.allCases))) {
                mask, component in
                component.events.map { mask & EventCategory.mask(of: $0) } ?? mask
            }
            self.tests = components.filter { $0.attribute != nil }
        }

        func matches(_ subject: FilterSubject, category: UInt16) -> Bool {
            categories & category != 0 && tests.allSatisfy { $0.matchesAttribute(subject) }
        }
    }

    enum IndexKey: Hashable, Sendable {
        case mac(UInt64)
        case ip(UInt32)
        case dpid(UInt64)
        case vlan(UInt16)

        /// A cheap hash for the presence bitmap (Fibonacci hashing of the value and its kind).
        var presenceBit: Int {
            let (kind, value): (UInt64, UInt64) =
                switch self {
                case .mac(let mac): (1, mac)
                case .ip(let ip): (2, UInt64(ip))
                case .dpid(let dpid): (3, dpid)
                case .vlan(let vlan): (4, UInt64(vlan))
                }
            return Int(
                truncatingIfNeeded: ((value ^ kind << 60) &* 0x9E37_79B9_7F4A_7C15)
                    >> UInt64(64 - FilterTable.presenceBits))
        }
    }

    /// log2 of the presence bitmap's size in bits: 2^19 bits are 64 KiB, small enough to stay
    /// in cache, where a look-up in the index itself is a cache miss. An event's addresses are
    /// mostly in no rule, and the bitmap says so without touching the index.
    static let presenceBits: UInt64 = 19
    private var presence = [UInt64](repeating: 0, count: 1 << (19 - 6))
    /// How many indexed keys set each bit, so that removing one clears it when it was the last.
    private var presenceCounts: [Int: Int] = [:]

    /// By id; a removed conjunction leaves nil until its slot is reused.
    private var conjunctions: [Conjunction?] = []
    private var freeSlots: [Int] = []
    private var bySID: [ServiceID: [Int]] = [:]
    private var byKey: [IndexKey: [Int]] = [:]
    /// Conjunctions without an exact value, by `EventCategory.index`.
    private var byCategory: [[Int]] = Array(repeating: [], count: EventCategory.allCases.count)
    public private(set) var rules: [ServiceID: [String]] = [:]

    public init() {}

    public var conjunctionCount: Int { conjunctions.count - freeSlots.count }

    /// Installs a service's rules, replacing any it had. Nothing changes if one does not compile.
    public mutating func install(_ ruleTexts: [String], for sid: ServiceID) throws(FilterRuleError) {
        var compiled: [[FilterComponent]] = []
        for (index, text) in ruleTexts.enumerated() {
            let expression: FilterExpression
            do {
                expression = try FilterParser.parse(text)
            } catch {
                throw FilterRuleError(sid: sid, rule: index, error: error)
            }
            guard let terms = expression.disjunctiveNormalForm(limit: Self.conjunctionLimit) else {
                throw FilterRuleError(
                    sid: sid, rule: index,
                    error: FilterParseError(
                        column: 1,
                        problem:
                            "the rule expands to more than \(Self.conjunctionLimit) alternatives; split it into several rules"
                    ))
            }
            compiled += terms
        }
        remove(sid)
        rules[sid] = ruleTexts
        for components in compiled { add(Conjunction(sid: sid, components: components)) }
    }

    public mutating func remove(_ sid: ServiceID) {
        rules[sid] = nil
        guard let ids = bySID.removeValue(forKey: sid) else { return }
        let gone = Set(ids)
        for id in ids {
            guard let conjunction = conjunctions[id] else { continue }
            conjunctions[id] = nil
            freeSlots.append(id)
            switch Self.placement(of: conjunction.components) {
            case .key(let key):
                byKey[key]?.removeAll { gone.contains($0) }
                if byKey[key]?.isEmpty == true {
                    byKey[key] = nil
                    markPresent(key, by: -1)
                }
            case .categories(let categories):
                for category in categories { byCategory[category.index].removeAll { gone.contains($0) } }
            }
        }
    }

    /// The services whose filters the event matches, each once, in SID order.
    public func matches(_ subject: FilterSubject) -> [ServiceID] {
        var found: [ServiceID] = []
        matches(subject, into: &found)
        return found
    }

    /// The same, into a list the caller keeps (emptied first): matching then allocates nothing.
    public func matches(_ subject: FilterSubject, into found: inout [ServiceID]) {
        found.removeAll(keepingCapacity: true)
        let category = UInt16(1) << UInt16(subject.category.index)
        func lookUp(_ key: IndexKey) {
            let bit = key.presenceBit
            guard presence[bit >> 6] & (1 << UInt64(bit & 63)) != 0, let ids = byKey[key] else { return }
            check(ids)
        }
        func check(_ ids: [Int]) {
            for id in ids {
                guard let conjunction = conjunctions[id], conjunction.matches(subject, category: category),
                    !found.contains(conjunction.sid)
                else { continue }
                found.append(conjunction.sid)
            }
        }
        // Services that subscribe by event type alone leave the index empty: nothing to look up.
        if !byKey.isEmpty {
            if let mac = subject.sourceMAC { lookUp(.mac(mac.rawValue)) }
            if let mac = subject.destinationMAC, mac != subject.sourceMAC { lookUp(.mac(mac.rawValue)) }
            if let ip = subject.sourceIP { lookUp(.ip(ip.rawValue)) }
            if let ip = subject.destinationIP, ip != subject.sourceIP { lookUp(.ip(ip.rawValue)) }
            if let dpid = subject.datapathID { lookUp(.dpid(dpid.rawValue)) }
            if let vlan = subject.vlan { lookUp(.vlan(vlan)) }
        }
        check(byCategory[subject.category.index])
        // Sorted in place: an event usually matches one service, and a new array would cost
        // an allocation per event.
        if found.count > 1 { found.sort() }
    }

    private mutating func add(_ conjunction: Conjunction) {
        let id: Int
        if let slot = freeSlots.popLast() {
            id = slot
            conjunctions[id] = conjunction
        } else {
            id = conjunctions.count
            conjunctions.append(conjunction)
        }
        bySID[conjunction.sid, default: []].append(id)
        switch Self.placement(of: conjunction.components) {
        case .key(let key):
            if byKey[key] == nil { markPresent(key, by: 1) }
            byKey[key, default: []].append(id)
        case .categories(let categories): for category in categories { byCategory[category.index].append(id) }
        }
    }

    private mutating func markPresent(_ key: IndexKey, by change: Int) {
        let bit = key.presenceBit
        let count = presenceCounts[bit, default: 0] + change
        presenceCounts[bit] = count == 0 ? nil : count
        if count == 0 {
            presence[bit >> 6] &= ~(1 << UInt64(bit & 63))
        } else {
            presence[bit >> 6] |= 1 << UInt64(bit & 63)
        }
    }

    enum Placement {
        case key(IndexKey)
        case categories([EventCategory])
    }

    /// Where a conjunction is filed: under its most selective exact value, else under every
    /// category all of its components accept.
    static func placement(of components: [FilterComponent]) -> Placement {
        let keys = components.compactMap { component -> (rank: Int, key: IndexKey)? in
            switch component.attribute {
            case .mac(let mac): (0, .mac(mac.rawValue))
            case .ip(let ip): (1, .ip(ip.rawValue))
            case .dpid(let dpid): (2, .dpid(dpid.rawValue))
            case .vlan(let vlan): (3, .vlan(vlan))
            case nil: nil
            }
        }
        if let best = keys.min(by: { $0.rank < $1.rank }) { return .key(best.key) }
        var accepted = Set(EventCategory.allCases)
        for component in components { if let events = component.events { accepted.formIntersection(events) } }
        return .categories(EventCategory.allCases.filter { accepted.contains($0) })
    }
}
