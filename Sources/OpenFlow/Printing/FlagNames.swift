/// Names the set bits of an option set, as `ovs-ofctl` lists them; unnamed bits print in hex.
func flagNames<Flags: OptionSet>(_ value: Flags, _ names: [(Flags, String)]) -> String
where Flags.RawValue: FixedWidthInteger, Flags.Element == Flags {
    var words: [String] = []
    var rest = value.rawValue
    for (flag, name) in names where value.contains(flag) {
        words.append(name)
        rest &= ~flag.rawValue
    }
    if rest != 0 { words.append("0x" + String(rest, radix: 16)) }
    return words.joined(separator: " ")
}

func hex<T: FixedWidthInteger>(_ value: T, digits: Int = 0) -> String {
    "0x" + zeroPadded(String(value, radix: 16), width: digits)
}

func zeroPadded(_ text: String, width: Int) -> String {
    String(repeating: "0", count: max(0, width - text.count)) + text
}
