import OpenFlow
import UnitProtocol

/// Why a filter rule's text does not parse, and where (1-based column).
public struct FilterParseError: Error, Hashable, Sendable, CustomStringConvertible {
    public var column: Int
    public var problem: String

    public init(column: Int, problem: String) {
        self.column = column
        self.problem = problem
    }

    public var description: String { "column \(column): \(problem)" }
}

/// The filter language's text form:
///
/// ```
/// rule       := term ("or" term)*
/// term       := factor ("and" factor)*
/// factor     := "(" rule ")" | component
/// component  := "any" | event | [ "src" | "dst" ] attribute value
/// event      := switch_added | switch_port_changed | switch_removed | packet_in | port_status
///             | vendor | device_added | device_removed | device_changed
///             | switch | message | device            (each of that group)
/// attribute  := "dpid" (0x1f, 31 or 00:00:00:00:00:00:00:1f) | "vlan" 0-4095
///             | "ip" a.b.c.d | "mac" aa:bb:cc:dd:ee:ff
/// ```
/// `and` binds tighter than `or`: `packet_in and src mac 00:00:00:00:00:01 or dpid 0x1` is
/// (packet_in and src mac …) or dpid 0x1.
public struct FilterParser {
    struct Token {
        let text: String
        let column: Int
    }

    private let tokens: [Token]
    private var position = 0
    private let endColumn: Int

    public static func parse(_ text: String) throws(FilterParseError) -> FilterExpression {
        var parser = FilterParser(text)
        guard !parser.tokens.isEmpty else { throw FilterParseError(column: 1, problem: "the rule is empty") }
        let expression = try parser.parseRule()
        if let extra = parser.peek {
            throw FilterParseError(
                column: extra.column,
                problem: extra.text == ")"
                    ? "unmatched ')'" : "expected 'and', 'or' or the end of the rule, got '\(extra.text)'")
        }
        return expression
    }

    private init(_ text: String) {
        var tokens: [Token] = []
        var current = ""
        var start = 0
        var column = 0
        for character in text {
            column += 1
            if character == "(" || character == ")" || character.isWhitespace {
                if !current.isEmpty { tokens.append(Token(text: current, column: start)) }
                current = ""
                if !character.isWhitespace { tokens.append(Token(text: String(character), column: column)) }
            } else {
                if current.isEmpty { start = column }
                current.append(character)
            }
        }
        if !current.isEmpty { tokens.append(Token(text: current, column: start)) }
        self.tokens = tokens
        self.endColumn = column + 1
    }

    private var peek: Token? { position < tokens.count ? tokens[position] : nil }

    private mutating func next(expecting what: String) throws(FilterParseError) -> Token {
        guard let token = peek else {
            throw FilterParseError(column: endColumn, problem: "expected \(what), got the end of the rule")
        }
        position += 1
        return token
    }

    private mutating func parseRule() throws(FilterParseError) -> FilterExpression {
        var expression = try parseTerm()
        while peek?.text.lowercased() == "or" {
            position += 1
            expression = .or(expression, try parseTerm())
        }
        return expression
    }

    private mutating func parseTerm() throws(FilterParseError) -> FilterExpression {
        var expression = try parseFactor()
        while peek?.text.lowercased() == "and" {
            position += 1
            expression = .and(expression, try parseFactor())
        }
        return expression
    }

    private mutating func parseFactor() throws(FilterParseError) -> FilterExpression {
        let token = try next(expecting: "an event type, an attribute or '('")
        if token.text == "(" {
            let inner = try parseRule()
            let close = try next(expecting: "')' to close the '(' at column \(token.column)")
            guard close.text == ")" else {
                throw FilterParseError(
                    column: close.column,
                    problem: "expected ')' to close the '(' at column \(token.column), got '\(close.text)'")
            }
            return inner
        }
        return .component(try parseComponent(startingWith: token))
    }

    private mutating func parseComponent(startingWith token: Token) throws(FilterParseError) -> FilterComponent {
        let word = token.text.lowercased()
        if word == "any" { return FilterComponent() }
        if let events = Self.events(named: word) { return FilterComponent(events: events) }
        var direction = FilterDirection.any
        var attributeToken = token
        if let given = FilterDirection(rawValue: word), given != .any {
            direction = given
            attributeToken = try next(expecting: "an attribute (dpid, vlan, ip or mac) after '\(token.text)'")
        }
        let attribute = attributeToken.text.lowercased()
        guard ["dpid", "vlan", "ip", "mac"].contains(attribute) else {
            let expected =
                direction == .any
                ? "an event type (packet_in, port_status, vendor, switch_added, …), src, dst, an attribute (dpid, vlan, ip, mac), any or '('"
                : "an attribute (dpid, vlan, ip or mac)"
            throw FilterParseError(
                column: attributeToken.column, problem: "expected \(expected), got '\(attributeToken.text)'")
        }
        if direction != .any && (attribute == "dpid" || attribute == "vlan") {
            throw FilterParseError(
                column: token.column,
                problem: "'\(token.text)' applies to mac and ip only; \(attribute) has no direction")
        }
        let valueToken = try next(expecting: "a value after '\(attributeToken.text)'")
        return FilterComponent(direction: direction, attribute: try Self.value(of: attribute, valueToken))
    }

    private static func events(named word: String) -> Set<EventCategory>? {
        switch word {
        case "switch": return EventCategory.switchEvents
        case "message": return EventCategory.messageEvents
        case "device": return EventCategory.deviceEvents
        case "link": return EventCategory.linkEvents
        default: return EventCategory(rawValue: word).map { [$0] }
        }
    }

    private static func value(of attribute: String, _ token: Token) throws(FilterParseError) -> FilterAttribute {
        let text = token.text
        switch attribute {
        case "mac":
            guard let mac = MACAddress(text) else {
                throw FilterParseError(
                    column: token.column, problem: "expected a MAC address like 00:00:00:00:00:01, got '\(text)'")
            }
            return .mac(mac)
        case "ip":
            guard let ip = IPv4Address(text) else {
                throw FilterParseError(
                    column: token.column, problem: "expected an IPv4 address like 10.0.0.1, got '\(text)'")
            }
            return .ip(ip)
        case "vlan":
            guard let vlan = UInt16(text), vlan <= 4095 else {
                throw FilterParseError(column: token.column, problem: "expected a VLAN id 0-4095, got '\(text)'")
            }
            return .vlan(vlan)
        default:
            guard let dpid = parseDatapathID(text) else {
                throw FilterParseError(
                    column: token.column,
                    problem: "expected a DPID like 0x1, 1 or 00:00:00:00:00:00:00:01, got '\(text)'")
            }
            return .dpid(DatapathID(dpid))
        }
    }

    private static func parseDatapathID(_ text: String) -> UInt64? {
        let lower = text.lowercased()
        if lower.hasPrefix("0x") { return UInt64(lower.dropFirst(2), radix: 16) }
        if lower.contains(":") {
            let groups = lower.split(separator: ":", omittingEmptySubsequences: false)
            guard groups.count == 8, groups.allSatisfy({ $0.count == 2 }) else { return nil }
            return UInt64(groups.joined(), radix: 16)
        }
        return UInt64(lower)
    }
}
