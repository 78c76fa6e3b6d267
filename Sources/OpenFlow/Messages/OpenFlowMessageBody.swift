import NIOCore

/// The body of one kind of OpenFlow message: everything after `ofp_header`.
///
/// `minimumLength` is the size of the message's structure in the specification (header
/// included, as in its `OFP_ASSERT(sizeof(...))` lines); when `isFixedSize` the message must be
/// exactly that long. `OpenFlowMessage` checks both before calling `init(parsing:)`, so a body
/// parser can rely on its fixed part being present.
public protocol OpenFlowMessageBody: Hashable, Sendable {
    static var messageType: MessageType { get }
    static var minimumLength: Int { get }
    static var isFixedSize: Bool { get }

    /// Parses the body; `reader` covers exactly the body bytes, its offsets relative to the message.
    init(parsing reader: inout WireReader) throws(WireError)
    func write(to buffer: inout ByteBuffer)
}

extension OpenFlowMessageBody {
    public static var minimumLength: Int { OpenFlowHeader.size }
    public static var isFixedSize: Bool { false }
}

/// A message with nothing after the header (FEATURES_REQUEST, BARRIER_REQUEST, ...).
public protocol EmptyOpenFlowMessageBody: OpenFlowMessageBody {
    init()
}

extension EmptyOpenFlowMessageBody {
    public static var isFixedSize: Bool { true }
    public init(parsing reader: inout WireReader) throws(WireError) { self.init() }
    public func write(to buffer: inout ByteBuffer) {}
}

public struct FeaturesRequest: Encodable, EmptyOpenFlowMessageBody {
    public static let messageType = MessageType.featuresRequest
    public init() {}
}

public struct GetConfigRequest: Encodable, EmptyOpenFlowMessageBody {
    public static let messageType = MessageType.getConfigRequest
    public init() {}
}

public struct BarrierRequest: Encodable, EmptyOpenFlowMessageBody {
    public static let messageType = MessageType.barrierRequest
    public init() {}
}

public struct BarrierReply: Encodable, EmptyOpenFlowMessageBody {
    public static let messageType = MessageType.barrierReply
    public init() {}
}
