import ControlPlane
import Foundation
import OpenFlow
import UnitProtocol

/// How long matching an event against a large filter table takes: 10,000 rules of the kinds
/// services ask for (exact MACs, IPs, DPIDs and VLANs, some with an event type, a few event
/// types alone), each for its own SID, against PACKET_IN and device events drawn from the same
/// addresses, so that about half of the events match something.
enum FilterBenchmark {
    struct Result: Encodable {
        let rules: Int
        let conjunctions: Int
        let events: Int
        let nanosecondsPerEvent: Double
        let matchesPerEvent: Double
    }

    static func run(rules ruleCount: Int, events eventCount: Int) throws -> Result {
        var generator = SplitMix64(seed: 42)
        func mac(_ index: Int) -> MACAddress { MACAddress(rawValue: 0x0200_0000_0000 | UInt64(index)) }
        func ip(_ index: Int) -> IPv4Address { IPv4Address(rawValue: 0x0a00_0000 | UInt32(index)) }
        var table = FilterTable()
        for index in 0..<ruleCount {
            let rule: String
            switch index % 20 {
            case 0..<8: rule = "src mac \(mac(index))"
            case 8..<11: rule = "packet_in and dst mac \(mac(index))"
            case 11..<15: rule = "ip \(ip(index))"
            case 15..<18: rule = "dpid 0x\(String(index, radix: 16)) and device"
            case 18: rule = "vlan \(index % 4096) and packet_in"
            default: rule = index % 1000 == 19 ? "device_removed" : "src mac \(mac(index)) or dst ip \(ip(index))"
            }
            try table.install([rule], for: ServiceID(UInt32(index)))
        }
        let subjects = (0..<4096).map { _ -> FilterSubject in
            let a = Int(generator.next() % UInt64(ruleCount * 2))
            let b = Int(generator.next() % UInt64(ruleCount * 2))
            let device = generator.next() % 4 == 0
            return FilterSubject(
                category: device ? .deviceAdded : .packetIn, datapathID: DatapathID(UInt64(a)),
                vlan: device ? nil : UInt16(b % 4096),
                sourceMAC: mac(a), destinationMAC: device ? nil : mac(b), sourceIP: ip(a),
                destinationIP: device ? nil : ip(b))
        }
        var matched = 0
        // Into one kept list, as the dispatcher matches.
        var found: [ServiceID] = []
        let start = DispatchTime.now().uptimeNanoseconds
        for index in 0..<eventCount {
            table.matches(subjects[index & 4095], into: &found)
            matched &+= found.count
        }
        let elapsed = Double(DispatchTime.now().uptimeNanoseconds - start)
        return Result(
            rules: ruleCount, conjunctions: table.conjunctionCount, events: eventCount,
            nanosecondsPerEvent: elapsed / Double(eventCount), matchesPerEvent: Double(matched) / Double(eventCount))
    }
}
