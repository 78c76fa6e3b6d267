/// `ofp_action_type`.
public struct ActionType: RawRepresentable, Hashable, Sendable {
    public let rawValue: UInt16
    public init(rawValue: UInt16) { self.rawValue = rawValue }

    public static let output = ActionType(rawValue: 0)
    public static let setVlanVid = ActionType(rawValue: 1)
    public static let setVlanPcp = ActionType(rawValue: 2)
    public static let stripVlan = ActionType(rawValue: 3)
    public static let setDlSrc = ActionType(rawValue: 4)
    public static let setDlDst = ActionType(rawValue: 5)
    public static let setNwSrc = ActionType(rawValue: 6)
    public static let setNwDst = ActionType(rawValue: 7)
    public static let setNwTos = ActionType(rawValue: 8)
    public static let setTpSrc = ActionType(rawValue: 9)
    public static let setTpDst = ActionType(rawValue: 10)
    public static let enqueue = ActionType(rawValue: 11)
    public static let vendor = ActionType(rawValue: 0xffff)
}
