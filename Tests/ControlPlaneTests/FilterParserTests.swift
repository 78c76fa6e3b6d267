import ControlPlane
import OpenFlow
import Testing
import UnitProtocol

@Suite struct FilterParserTests {
    static let mac1 = MACAddress(0, 0, 0, 0, 0, 1)

    @Test func andBindsTighterThanOr() throws {
        let expression = try FilterParser.parse("packet_in and src mac 00:00:00:00:00:01 or dpid 0x1")
        #expect(
            expression
                == .or(
                    .and(
                        .component(FilterComponent(events: [.packetIn])),
                        .component(FilterComponent(direction: .src, attribute: .mac(Self.mac1)))),
                    .component(FilterComponent(attribute: .dpid(DatapathID(1))))))
    }

    @Test func parenthesesGroup() throws {
        let expression = try FilterParser.parse("packet_in and (src mac 00:00:00:00:00:01 or dpid 1)")
        #expect(expression.description == "(packet_in and (src mac 00:00:00:00:00:01 or dpid 0x1))")
    }

    @Test func everyFormOfEveryValue() throws {
        #expect(
            try FilterParser.parse("dpid 00:00:00:00:00:00:00:1f")
                == .component(FilterComponent(attribute: .dpid(DatapathID(31)))))
        #expect(try FilterParser.parse("DPID 0x1F") == .component(FilterComponent(attribute: .dpid(DatapathID(31)))))
        #expect(try FilterParser.parse("vlan 4095") == .component(FilterComponent(attribute: .vlan(4095))))
        #expect(
            try FilterParser.parse("dst ip 10.0.0.2")
                == .component(FilterComponent(direction: .dst, attribute: .ip(IPv4Address(10, 0, 0, 2)))))
        #expect(try FilterParser.parse("device") == .component(FilterComponent(events: EventCategory.deviceEvents)))
        #expect(try FilterParser.parse("any") == .component(FilterComponent()))
    }

    @Test(arguments: [
        ("", 1, "the rule is empty"),
        ("packet_in and", 14, "expected an event type, an attribute or '(', got the end of the rule"),
        (
            "packet_in and src mac 00:00:00:00:00", 23,
            "expected a MAC address like 00:00:00:00:00:01, got '00:00:00:00:00'"
        ),
        ("src dpid 1", 1, "'src' applies to mac and ip only; dpid has no direction"),
        (
            "packet_out", 1,
            "expected an event type (packet_in, port_status, vendor, switch_added, …), src, dst, an attribute (dpid, vlan, ip, mac), any or '(', got 'packet_out'"
        ),
        ("(packet_in or dpid 1", 21, "expected ')' to close the '(' at column 1, got the end of the rule"),
        ("packet_in)", 10, "unmatched ')'"),
        ("packet_in dpid 1", 11, "expected 'and', 'or' or the end of the rule, got 'dpid'"),
        ("vlan 4096", 6, "expected a VLAN id 0-4095, got '4096'"),
        ("ip 10.0.0", 4, "expected an IPv4 address like 10.0.0.1, got '10.0.0'"),
        ("dst ip", 7, "expected a value after 'ip', got the end of the rule"),
        ("src port 80", 5, "expected an attribute (dpid, vlan, ip or mac), got 'port'"),
    ])
    func errorsPointAtTheColumn(text: String, column: Int, problem: String) {
        #expect(throws: FilterParseError(column: column, problem: problem)) { try FilterParser.parse(text) }
    }
}
