import NIOCore
import OpenFlow

/// OpenFlow version negotiation from the side of a controller that speaks only 1.0.
///
/// A peer that announces 1.0 or later without a version bitmap is accepted: the negotiated
/// version is the lower of the two, 1.0, and a peer that cannot speak it will say so. A peer
/// whose HELLO carries a version bitmap (OpenFlow 1.3.1 and later) is accepted only if the
/// bitmap includes 1.0.
public enum VersionNegotiation {
    public static func accepts(version: UInt8, hello: Hello) -> Bool {
        guard version >= OpenFlowHeader.version10 else { return false }
        if let bitmap = hello.versionBitmap { return bitmap.contains(OpenFlowHeader.version10) }
        return true
    }

    /// OFPET_HELLO_FAILED / OFPHFC_INCOMPATIBLE, in the peer's version so that it can read it.
    public static func failure(answering hello: OpenFlowMessage) -> OpenFlowMessage {
        let text = "Echelon speaks OpenFlow 1.0 (0x01) only; you announced 0x\(String(hello.version, radix: 16))"
        return OpenFlowMessage(
            version: hello.version, xid: hello.xid,
            .error(ErrorMessage(HelloFailedCode.incompatible, data: ByteBuffer(string: text))))
    }
}
