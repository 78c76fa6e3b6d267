import OpenFlow

/// "Output to port N" action lists, one per port number seen, reused: a new list for each
/// FLOW_MOD or PACKET_OUT would be a heap allocation per answer.
final class OutputLists {
    private var lists: [[Action]] = []
    private static let listedPorts = 1024

    func callAsFunction(_ port: PortNumber) -> [Action] {
        let number = Int(port.rawValue)
        guard number < Self.listedPorts else { return [.output(port: port, maxLength: 0)] }
        if number >= lists.count {
            lists += (lists.count...number).map { [.output(port: PortNumber(UInt16($0)), maxLength: 0)] }
        }
        return lists[number]
    }
}
