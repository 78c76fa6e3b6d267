import NIOCore
import OpenFlow
import Packets

extension ByteBuffer {
    /// Bytes from hex digits; whitespace is ignored so vectors can be laid out like a capture.
    init(hex: String) {
        let digits = hex.filter(\.isHexDigit).map { UInt8(String($0), radix: 16) ?? 0 }
        precondition(digits.count.isMultiple(of: 2), "odd number of hex digits")
        self.init(bytes: stride(from: 0, to: digits.count, by: 2).map { digits[$0] << 4 | digits[$0 + 1] })
    }

    /// The first `count` readable bytes.
    func prefix(_ count: Int) -> ByteBuffer {
        getSlice(at: readerIndex, length: min(count, readableBytes)) ?? ByteBuffer()
    }

    /// A copy with the byte at `offset` replaced.
    func replacing(_ offset: Int, with value: UInt8) -> ByteBuffer {
        var copy = self
        copy.setInteger(value, at: readerIndex + offset)
        return copy
    }
}

/// The error parsing `bytes` as a frame throws, or `nil` if it parses.
func parseError(_ bytes: ByteBuffer) -> WireError? {
    do {
        _ = try EthernetFrame(parsing: bytes)
        return nil
    } catch {
        return error
    }
}

/// Real frames, laid out as a capture shows them. The checksums were computed independently of
/// this library (with a few lines of Python), so checking them tests `InternetChecksum`.
enum Vectors {
    /// Who has 10.0.0.2? Tell 10.0.0.1 — broadcast, padded to the 60-byte minimum.
    static let arpRequest = ByteBuffer(
        hex: """
            ff ff ff ff ff ff 00 00 00 00 00 01 08 06 00 01 08 00 06 04 00 01 00 00 00 00 00 01 0a 00 00 01
            00 00 00 00 00 00 0a 00 00 02 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00
            """)  // 60 bytes
    /// ICMP echo request 10.0.0.1 → 10.0.0.2, id 0x1234 seq 1, TOS 0xb8 (DSCP EF), DF set.
    static let icmpEcho = ByteBuffer(
        hex: """
            00 00 00 00 00 02 00 00 00 00 00 01 08 00 45 b8 00 3c be ef 40 00 40 01 67 17 0a 00 00 01 0a 00
            00 02 08 00 f3 c8 12 34 00 01 10 11 12 13 14 15 16 17 18 19 1a 1b 1c 1d 1e 1f 20 21 22 23 24 25
            26 27 28 29 2a 2b 2c 2d 2e 2f
            """)  // 74 bytes
    /// TCP SYN 192.168.1.10:43210 → 93.184.216.34:80 with an IPv4 Router Alert option
    /// (IHL 6) and the usual Linux SYN options (MSS, SACK permitted, timestamps, NOP, window scale).
    static let tcpSynWithOptions = ByteBuffer(
        hex: """
            52 54 00 12 34 56 08 00 27 aa bb cc 08 00 46 02 00 40 30 39 40 00 40 06 7d eb c0 a8 01 0a 5d b8
            d8 22 94 04 00 00 a8 ca 00 50 1a 2b 3c 4d 00 00 00 00 a0 02 fa f0 73 ad 00 00 02 04 05 b4 04 02
            08 0a 00 01 e2 40 00 00 00 00 01 03 03 07
            """)  // 78 bytes
    /// DNS query for example.com A, 10.0.0.1:53000 → 8.8.8.8:53.
    static let udpDNSQuery = ByteBuffer(
        hex: """
            00 00 00 00 00 fe 00 00 00 00 00 01 08 00 45 00 00 39 00 01 00 00 40 11 60 a3 0a 00 00 01 08 08
            08 08 cf 08 00 35 00 25 9b 1a ab cd 01 00 00 01 00 00 00 00 00 00 07 65 78 61 6d 70 6c 65 03 63
            6f 6d 00 00 01 00 01
            """)  // 71 bytes
    /// 802.1Q VID 100 PCP 5 carrying UDP 10.1.0.1:5000 → 10.1.0.2:6000, TOS 0x2a (ECN bits set).
    static let vlanTaggedUDP = ByteBuffer(
        hex: """
            00 00 00 00 00 02 00 00 00 00 00 01 81 00 a0 64 08 00 45 2a 00 20 00 07 40 00 40 11 26 98 0a 01
            00 01 0a 01 00 02 13 88 17 70 00 0c e2 08 70 69 6e 67
            """)  // 50 bytes
    /// ICMPv6 echo request fe80::1 → fe80::2, traffic class 0x0a, flow label 0x12345.
    static let ipv6ICMPv6Echo = ByteBuffer(
        hex: """
            33 33 00 00 00 02 02 00 00 00 00 01 86 dd 60 a1 23 45 00 10 3a ff fe 80 00 00 00 00 00 00 00 00
            00 00 00 00 00 01 fe 80 00 00 00 00 00 00 00 00 00 00 00 00 00 02 80 00 f0 d1 00 42 00 07 61 62
            63 64 65 66 67 68
            """)  // 70 bytes
    /// LLDP as a non-OpenFlow switch sends it: chassis MAC, port "eth1", TTL 120, system
    /// name "sw1", padded to 60 bytes.
    static let lldpFromSwitch = ByteBuffer(
        hex: """
            01 80 c2 00 00 0e 00 1b 21 3c 4d 5f 88 cc 02 07 04 00 1b 21 3c 4d 5e 04 05 05 65 74 68 31 06 02
            00 78 0a 03 73 77 31 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00
            """)  // 60 bytes
    /// The probe for DPID 0x1a, port 3, sent from 02:00:00:00:1a:03 (written out by hand).
    static let echelonProbe = ByteBuffer(
        hex: """
            01 80 c2 00 00 0e 02 00 00 00 1a 03 88 cc 02 16 07 64 70 69 64 3a 30 30 30 30 30 30 30 30 30 30
            30 30 30 30 31 61 04 03 02 00 03 06 02 00 78 fe 0c 0a ec 10 01 00 00 00 00 00 00 00 1a 00 00
            """)  // 63 bytes
}

// Case accessors, so tests can `try #require(frame.payload.ipv4)`.
extension EthernetFrame.Payload {
    var arp: ARPPacket? { if case .arp(let packet) = self { packet } else { nil } }
    var ipv4: IPv4Packet? { if case .ipv4(let packet) = self { packet } else { nil } }
    var ipv6: IPv6Packet? { if case .ipv6(let packet) = self { packet } else { nil } }
    var lldp: LLDPPacket? { if case .lldp(let packet) = self { packet } else { nil } }
}

extension IPv4Packet.Payload {
    var tcp: TCPSegment? { if case .tcp(let segment) = self { segment } else { nil } }
    var udp: UDPDatagram? { if case .udp(let datagram) = self { datagram } else { nil } }
    var icmp: ICMPMessage? { if case .icmp(let message) = self { message } else { nil } }
}
