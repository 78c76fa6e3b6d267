import NIOCore
import OpenFlow

extension Match {
    /// The exact match (no wildcards) a switch would compute for this frame, following Open
    /// vSwitch's `flow_extract` for OpenFlow 1.0, so that a flow installed from it matches the
    /// rest of the packet's flow:
    ///
    /// - `dl_vlan` is 0xffff (`OFP_VLAN_NONE`) and `dl_vlan_pcp` 0 unless one 802.1Q (or 802.1ad)
    ///   tag is present with its inner EtherType.
    /// - `dl_type` is the EtherType after the tag; an 802.3 frame has the type from its SNAP
    ///   header when it has one (LLC AA-AA-03, OUI 00-00-00), and 0x05ff otherwise.
    /// - ARP (Ethernet/IPv4 only): `nw_proto` is the opcode if it fits in 8 bits (else 0),
    ///   `nw_src`/`nw_dst` the sender and target protocol addresses.
    /// - IPv4 (IHL ≥ 5, header present): `nw_tos` the DSCP bits (`tos & 0xfc`), `nw_proto`,
    ///   `nw_src`, `nw_dst`; then, unless the packet is a fragment (first or later — OVS's
    ///   `OFPC_FRAG_NORMAL` treats both as having no ports), TCP/UDP ports, or ICMP type and
    ///   code as `tp_src`/`tp_dst`.
    ///
    /// A field stays 0 when the frame ends before it or its header is malformed; nothing throws,
    /// because data truncated by `miss_send_len` is normal. This is the PACKET_IN hot path:
    /// it reads the buffer in place with bounds-checked loads and allocates nothing.
    public init(extractingFrom frame: ByteBuffer, inPort: PortNumber) {
        self.init(wildcards: [], inPort: inPort, dlVlan: Match.vlanNone)
        // One access to the storage for the whole extraction: `ByteBuffer.getInteger` pays
        // for a storage access on every call, several times the cost of the load itself.
        frame.withUnsafeReadableBytes { extract(from: FrameBytes($0)) }
    }

    private mutating func extract(from frame: FrameBytes) {
        guard frame.count >= 14 else { return }
        dlDst = frame.macAddress(at: 0)
        dlSrc = frame.macAddress(at: 6)

        var offset = 12
        // OVS reads a tag only if the inner EtherType follows it.
        if EtherType(frame.uint16(at: 12)).isVLANTag && frame.count >= 18 {
            let tci = frame.uint16(at: 14)
            dlVlan = tci & 0x0fff
            dlVlanPcp = UInt8(truncatingIfNeeded: tci >> 13)
            offset = 16
        }
        var type = frame.uint16(at: offset)
        offset += 2
        if type < EtherType.ethernetIIMinimum {
            // LLC/SNAP: DSAP, SSAP, control = AA AA 03, then a zero OUI and the EtherType.
            guard frame.count - offset >= 8, frame.uint32(at: offset) == 0xaaaa_0300, frame.uint16(at: offset + 4) == 0
            else {
                dlType = EtherType.notEthernetII.rawValue
                return
            }
            type = frame.uint16(at: offset + 6)
            offset += 8
        }
        dlType = type

        switch EtherType(type) {
        case .ipv4: extractIPv4(from: frame, at: offset)
        case .arp: extractARP(from: frame, at: offset)
        default: break
        }
    }

    private mutating func extractARP(from frame: FrameBytes, at offset: Int) {
        // htype 1, ptype 0x0800, hlen 6, plen 4
        guard frame.count - offset >= ARPPacket.size,
            frame.uint32(at: offset) == 0x0001_0800, frame.uint16(at: offset + 4) == 0x0604
        else { return }
        let operation = frame.uint16(at: offset + 6)
        if operation <= 0xff { nwProto = UInt8(operation) }
        nwSrc = IPv4Address(rawValue: frame.uint32(at: offset + 14))
        nwDst = IPv4Address(rawValue: frame.uint32(at: offset + 24))
    }

    private mutating func extractIPv4(from frame: FrameBytes, at offset: Int) {
        let available = frame.count - offset
        guard available >= 20 else { return }
        let headerLength = Int(frame.uint8(at: offset) & 0x0f) * 4
        guard headerLength >= 20, available >= headerLength else { return }
        nwTos = frame.uint8(at: offset + 1) & 0xfc
        nwProto = frame.uint8(at: offset + 9)
        nwSrc = IPv4Address(rawValue: frame.uint32(at: offset + 12))
        nwDst = IPv4Address(rawValue: frame.uint32(at: offset + 16))
        // More-fragments flag or a fragment offset.
        guard frame.uint16(at: offset + 6) & 0x3fff == 0 else { return }

        let l4 = offset + headerLength
        let remaining = available - headerLength
        switch IPProtocol(nwProto) {
        case .tcp:
            guard remaining >= 20 else { return }
            let tcpHeaderLength = Int(frame.uint8(at: l4 + 12) >> 4) * 4
            guard tcpHeaderLength >= 20, remaining >= tcpHeaderLength else { return }
            tpSrc = frame.uint16(at: l4)
            tpDst = frame.uint16(at: l4 + 2)
        case .udp:
            guard remaining >= 8 else { return }
            tpSrc = frame.uint16(at: l4)
            tpDst = frame.uint16(at: l4 + 2)
        case .icmp:
            guard remaining >= 4 else { return }
            tpSrc = UInt16(frame.uint8(at: l4))
            tpDst = UInt16(frame.uint8(at: l4 + 1))
        default:
            break
        }
    }
}

/// Big-endian loads at offsets into one frame's bytes. Every load checks its bounds and
/// yields 0 outside them, so a wrong offset can produce a wrong field but never a trap;
/// callers check lengths first, as OVS does, so that never happens in practice.
private struct FrameBytes {
    let bytes: UnsafeRawBufferPointer

    init(_ bytes: UnsafeRawBufferPointer) { self.bytes = bytes }

    var count: Int { bytes.count }

    @inline(__always)
    private func load<T: FixedWidthInteger>(at offset: Int, as _: T.Type) -> T {
        guard offset >= 0, offset <= bytes.count - MemoryLayout<T>.size else { return 0 }
        return T(bigEndian: bytes.loadUnaligned(fromByteOffset: offset, as: T.self))
    }

    func uint8(at offset: Int) -> UInt8 { load(at: offset, as: UInt8.self) }
    func uint16(at offset: Int) -> UInt16 { load(at: offset, as: UInt16.self) }
    func uint32(at offset: Int) -> UInt32 { load(at: offset, as: UInt32.self) }

    func macAddress(at offset: Int) -> MACAddress {
        MACAddress(rawValue: UInt64(uint16(at: offset)) << 32 | UInt64(uint32(at: offset + 2)))
    }
}
