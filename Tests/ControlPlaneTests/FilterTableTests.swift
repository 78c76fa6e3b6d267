import ControlPlane
import OpenFlow
import PropertyBased
import TestSupport
import Testing
import UnitProtocol

@Suite struct FilterTableTests {
    static let a = MACAddress(0, 0, 0, 0, 0, 0xa)
    static let b = MACAddress(0, 0, 0, 0, 0, 0xb)

    static func packetIn(
        from source: MACAddress, to destination: MACAddress, dpid: UInt64 = 1, vlan: UInt16? = nil
    ) -> FilterSubject {
        FilterSubject(
            category: .packetIn, datapathID: DatapathID(dpid), vlan: vlan, sourceMAC: source,
            destinationMAC: destination)
    }

    @Test func directionsAndCategories() throws {
        var table = FilterTable()
        try table.install(["packet_in and src mac 00:00:00:00:00:0a"], for: ServiceID(1))
        try table.install(["dst mac 00:00:00:00:00:0a"], for: ServiceID(2))
        try table.install(["mac 00:00:00:00:00:0a"], for: ServiceID(3))
        try table.install(["device_added"], for: ServiceID(4))
        try table.install(["any"], for: ServiceID(5))
        #expect(table.matches(Self.packetIn(from: Self.a, to: Self.b)) == [1, 3, 5].map { ServiceID($0) })
        #expect(table.matches(Self.packetIn(from: Self.b, to: Self.a)) == [2, 3, 5].map { ServiceID($0) })
        #expect(
            table.matches(FilterSubject(category: .deviceAdded, sourceMAC: Self.a)) == [3, 4, 5].map { ServiceID($0) },
            "src mac holds for a device, packet_in does not")
    }

    @Test func orAcrossRulesAndWithinOne() throws {
        var table = FilterTable()
        try table.install(["packet_in and src mac 00:00:00:00:00:0a or dpid 0x2", "vlan 10"], for: ServiceID(7))
        #expect(table.matches(Self.packetIn(from: Self.a, to: Self.b)) == [ServiceID(7)])
        #expect(table.matches(Self.packetIn(from: Self.b, to: Self.a, dpid: 2)) == [ServiceID(7)])
        #expect(table.matches(Self.packetIn(from: Self.b, to: Self.a, vlan: 10)) == [ServiceID(7)])
        #expect(table.matches(Self.packetIn(from: Self.b, to: Self.a)).isEmpty)
        #expect(
            table.matches(FilterSubject(category: .switchRemoved, datapathID: DatapathID(2))) == [ServiceID(7)],
            "dpid 0x2 alone holds for any event")
    }

    @Test func aBadRuleChangesNothingAndSaysWhichRuleAndWhere() throws {
        var table = FilterTable()
        try table.install(["dpid 1"], for: ServiceID(3))
        #expect(
            throws: FilterRuleError(
                sid: ServiceID(3), rule: 1,
                error: FilterParseError(column: 6, problem: "expected a VLAN id 0-4095, got 'x'"))
        ) {
            try table.install(["dpid 2", "vlan x"], for: ServiceID(3))
        }
        #expect(table.rules[ServiceID(3)] == ["dpid 1"])
        #expect(table.matches(FilterSubject(category: .switchAdded, datapathID: DatapathID(1))) == [ServiceID(3)])
    }

    @Test func removalAndReplacementLeaveNothingBehind() throws {
        var table = FilterTable()
        try table.install(["mac 00:00:00:00:00:0a", "packet_in"], for: ServiceID(1))
        try table.install(["mac 00:00:00:00:00:0b"], for: ServiceID(1))
        #expect(table.conjunctionCount == 1)
        #expect(table.matches(Self.packetIn(from: Self.a, to: Self.a)).isEmpty)
        table.remove(ServiceID(1))
        #expect(table.conjunctionCount == 0)
        #expect(table.matches(Self.packetIn(from: Self.b, to: Self.b)).isEmpty)
    }

    @Test func aRuleThatExpandsTooFarIsRefused() {
        let clause = "(dpid 1 or dpid 2)"
        let rule = Array(repeating: clause, count: 7).joined(separator: " and ")
        var table = FilterTable()
        #expect(throws: FilterRuleError.self) { try table.install([rule], for: ServiceID(1)) }
    }

    /// The index must answer exactly what evaluating every rule on every event would.
    @Test func theIndexAgreesWithEvaluatingEveryRule() async {
        let words = [
            "packet_in", "device_added", "switch", "any", "dpid 1", "dpid 2", "vlan 5", "src mac 00:00:00:00:00:01",
            "dst mac 00:00:00:00:00:02", "mac 00:00:00:00:00:01", "ip 10.0.0.1", "src ip 10.0.0.2",
        ]
        let scenario = Generator<([String], [FilterSubject]), Shrink.None<([String], [FilterSubject])>> { seeded in
            var rng = SeededGenerator(base: seeded)
            defer { seeded = rng.base }
            func word() -> String { words[Int.random(in: 0..<words.count, using: &rng)] }
            func rule() -> String {
                (0..<Int.random(in: 1...3, using: &rng)).map { _ in
                    (0..<Int.random(in: 1...3, using: &rng)).map { _ in word() }.joined(separator: " and ")
                }.joined(separator: " or ")
            }
            let rules = (0..<20).map { _ in rule() }
            let macs = [MACAddress(0, 0, 0, 0, 0, 1), MACAddress(0, 0, 0, 0, 0, 2), MACAddress(0, 0, 0, 0, 0, 3)]
            let ips = [IPv4Address(10, 0, 0, 1), IPv4Address(10, 0, 0, 2)]
            let subjects = (0..<20).map { _ in
                FilterSubject(
                    category: EventCategory.allCases[Int.random(in: 0..<EventCategory.allCases.count, using: &rng)],
                    datapathID: DatapathID(UInt64.random(in: 1...3, using: &rng)),
                    vlan: Bool.random(using: &rng) ? 5 : nil,
                    sourceMAC: macs[Int.random(in: 0..<3, using: &rng)],
                    destinationMAC: macs[Int.random(in: 0..<3, using: &rng)],
                    sourceIP: ips[Int.random(in: 0..<2, using: &rng)],
                    destinationIP: ips[Int.random(in: 0..<2, using: &rng)])
            }
            return (rules, subjects)
        }
        await propertyCheck(count: 200, input: scenario) { scenario in
            let (rules, subjects) = scenario
            var table = FilterTable()
            for (index, rule) in rules.enumerated() { try table.install([rule], for: ServiceID(UInt32(index))) }
            let expressions = try rules.map { try FilterParser.parse($0) }
            for subject in subjects {
                let expected = expressions.indices.filter { expressions[$0].evaluate(subject) }.map {
                    ServiceID(UInt32($0))
                }
                #expect(table.matches(subject) == expected)
            }
        }
    }
}

extension FilterExpression {
    /// The plain meaning of the expression, for checking the index against.
    func evaluate(_ subject: FilterSubject) -> Bool {
        switch self {
        case .component(let component): component.evaluate(subject)
        case .and(let left, let right): left.evaluate(subject) && right.evaluate(subject)
        case .or(let left, let right): left.evaluate(subject) || right.evaluate(subject)
        }
    }
}

extension FilterComponent {
    func evaluate(_ subject: FilterSubject) -> Bool {
        if let events, !events.contains(subject.category) { return false }
        switch attribute {
        case nil: return true
        case .dpid(let dpid): return subject.datapathID == dpid
        case .vlan(let vlan): return subject.vlan == vlan
        case .mac(let mac):
            return (direction != .dst && subject.sourceMAC == mac)
                || (direction != .src && subject.destinationMAC == mac)
        case .ip(let ip):
            return (direction != .dst && subject.sourceIP == ip) || (direction != .src && subject.destinationIP == ip)
        }
    }
}
