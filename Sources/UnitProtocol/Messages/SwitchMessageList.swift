import NIOCore
import OpenFlow

extension EventReturn {
    /// A return's messages for the switches below, kept as they travel: entry after entry of a
    /// DPID (u64) and one whole OpenFlow message, in one buffer. A return read from a unit
    /// channel keeps the bytes it arrived in (each message was checked), and one a hosted
    /// service answers is encoded into a buffer the unit reuses: neither builds a list of
    /// messages, and writing the return copies the entries at once.
    ///
    /// Every entry in `entries` is whole and well formed: the list is only made by appending
    /// messages, or from bytes whose every message `OpenFlowMessage.check(header:body:)` passed.
    public struct SwitchMessageList: Hashable, Sendable, Collection, ExpressibleByArrayLiteral {
        /// The entries' bytes, back to back, as a return carries them.
        public private(set) var entries: ByteBuffer
        public private(set) var count: Int
        /// The DPID every message is for, when they are all for one switch (as nearly every
        /// return's are): who may receive them is then one question, not one per message.
        /// Nil when the list is empty or its messages are for several switches.
        public private(set) var soleDatapathID: DatapathID?

        /// An entry's position: its offset in `entries`.
        public struct Index: Comparable, Hashable, Sendable {
            fileprivate let offset: Int
            public static func < (lhs: Index, rhs: Index) -> Bool { lhs.offset < rhs.offset }
        }

        public init() {
            entries = ByteBuffer()
            count = 0
            soleDatapathID = nil
        }

        public init(_ messages: some Sequence<SwitchMessage>) {
            self.init()
            for message in messages { append(message) }
        }

        public init(arrayLiteral messages: SwitchMessage...) {
            self.init(messages)
        }

        /// Entries read from a return and checked there (`EventReturn.init(parsing:)`).
        init(checkedEntries: ByteBuffer, count: Int, soleDatapathID: DatapathID?) {
            entries = checkedEntries
            self.count = count
            self.soleDatapathID = soleDatapathID
        }

        /// Reads `count` entries, each message checked where it lies and kept as the bytes it
        /// came in (`field` names them in errors). The caller has checked that `count` entries
        /// of the smallest size can be there.
        init(reading count: Int, from reader: inout WireReader, field: String) throws(WireError) {
            var entries = reader
            var sole: DatapathID?
            for read in 0..<count {
                let dpid: DatapathID
                if reader.remaining >= 8 + OpenFlowHeader.size {
                    // The DPID and the message's header in one view of the bytes.
                    let at = reader.offset + 8
                    let available = reader.remaining - 8
                    let header: OpenFlowHeader
                    (dpid, header) = try reader.readFixed(8 + OpenFlowHeader.size, field: field) { field in
                        (DatapathID(rawValue: field.read(UInt64.self)), OpenFlowHeader(reading: &field))
                    }
                    try reader.checkEmbeddedBody(of: header, at: at, available: available, field: field)
                } else {
                    // Cut short: read field by field, for the error of the first one missing.
                    dpid = DatapathID(rawValue: try reader.readInteger(as: UInt64.self, field: field + ".dpid"))
                    try reader.checkEmbeddedFrame(field: field)
                }
                sole = Self.sole(sole, ofCount: read, then: dpid)
            }
            // The loop has just read these bytes, so `field` never reaches an error from here.
            self.init(
                checkedEntries: try entries.readBytes(length: reader.offset - entries.offset, field: field),
                count: count, soleDatapathID: sole)
        }

        /// The sole DPID once a message for `datapathID` follows `count` messages whose sole
        /// DPID was `sole`: the one rule for lists appended to and lists read.
        static func sole(_ sole: DatapathID?, ofCount count: Int, then datapathID: DatapathID) -> DatapathID? {
            count == 0 || sole == datapathID ? datapathID : nil
        }

        public mutating func append(_ message: SwitchMessage) {
            entries.writeInteger(message.datapathID.rawValue)
            entries.writeImmutableBuffer(message.frame)
            noteAppended(message.datapathID)
        }

        /// Encodes a message for `datapathID` at the end of the list.
        public mutating func append(_ body: OpenFlowMessage.Body, xid: UInt32 = 0, to datapathID: DatapathID) {
            // The DPID goes in with the message's fixed fields, in one view of the buffer.
            OpenFlowMessage.write(xid: xid, body, to: &entries, prefixLength: 8) { field, _ in
                field.write(datapathID.rawValue)
            }
            noteAppended(datapathID)
        }

        private mutating func noteAppended(_ datapathID: DatapathID) {
            soleDatapathID = Self.sole(soleDatapathID, ofCount: count, then: datapathID)
            count += 1
        }

        /// How many of the messages are of `type`, read from their headers in place (counting
        /// by iterating would make a message, and a buffer reference, of each).
        public func count(of type: MessageType) -> Int {
            entries.withUnsafeReadableBytes { bytes in
                var offset = 0
                var found = 0
                while let header = Self.entryHeader(at: offset, in: bytes) {
                    if header.type == type.rawValue { found += 1 }
                    offset += 8 + header.length
                }
                return found
            }
        }

        /// The entry at `offset` of the bytes: its DPID (8 bytes), then a whole OpenFlow message,
        /// checked on the way in. Nil when no whole header is left there.
        private static func entryHeader(
            at offset: Int, in bytes: UnsafeRawBufferPointer
        ) -> (dpid: UInt64, type: UInt8, length: Int)? {
            guard offset >= 0, offset + 8 + OpenFlowHeader.size <= bytes.count else { return nil }
            let length = Int(UInt16(bigEndian: bytes.loadUnaligned(fromByteOffset: offset + 10, as: UInt16.self)))
            return (
                UInt64(bigEndian: bytes.loadUnaligned(fromByteOffset: offset, as: UInt64.self)), bytes[offset + 9],
                Swift.max(length, OpenFlowHeader.size)
            )
        }

        /// Empties the list, keeping its buffer for the next messages.
        public mutating func removeAll() {
            entries.clear()
            count = 0
            soleDatapathID = nil
        }

        /// The messages `isIncluded` accepts, in order; the list itself when it accepts all.
        /// `isIncluded` sees each message once. Nothing is copied until a message is left out.
        public func filter(_ isIncluded: (SwitchMessage) throws -> Bool) rethrows -> SwitchMessageList {
            var kept: SwitchMessageList?
            var keptBefore = 0
            var index = startIndex
            while index != endIndex {
                let (message, next) = entry(at: index)
                if try isIncluded(message) {
                    if kept != nil { kept?.append(message) } else { keptBefore += 1 }
                } else if kept == nil {
                    // The first one left out: the list so far is kept as it is, in one copy.
                    kept = split(atMost: keptBefore).first
                }
                index = next
            }
            return kept ?? self
        }

        /// The first `maximum` messages and the rest: a return carries at most
        /// `EventReturn.maximumMessages`.
        public func split(atMost maximum: Int) -> (first: SwitchMessageList, rest: SwitchMessageList) {
            guard count > maximum else { return (self, SwitchMessageList()) }
            let cut = index(startIndex, offsetBy: maximum)
            let firstLength = cut.offset - entries.readerIndex
            let first = entries.getSlice(at: entries.readerIndex, length: firstLength) ?? ByteBuffer()
            let rest = entries.getSlice(at: cut.offset, length: entries.writerIndex - cut.offset) ?? ByteBuffer()
            return (
                SwitchMessageList(retaking: first, count: maximum, soleDatapathID),
                SwitchMessageList(retaking: rest, count: count - maximum, soleDatapathID)
            )
        }

        /// Part of a list: its messages share the whole's sole DPID, or are looked at for one.
        private init(retaking part: ByteBuffer, count: Int, _ wholeSole: DatapathID?) {
            self.init(checkedEntries: part, count: count, soleDatapathID: count > 0 ? wholeSole : nil)
            if wholeSole == nil, let first = self.first?.datapathID {
                soleDatapathID = allSatisfy { $0.datapathID == first } ? first : nil
            }
        }

        /// Appends every message's frame to `buffer` with `xid` in its header, leaving out the
        /// DPIDs: the messages of a return for one switch, through one view of each buffer.
        /// Returns how many of them were FLOW_MODs: a unit counts the flows it installs, and this
        /// walk reads every header anyway.
        @discardableResult
        public func writeFrames(to buffer: inout ByteBuffer, xid: UInt32) -> Int {
            let length = entries.readableBytes - 8 * count
            var flowMods = 0
            _ = entries.withUnsafeReadableBytes { source in
                buffer.writeWithUnsafeMutableBytes(minimumWritableBytes: length) { target in
                    var from = 0
                    var to = 0
                    while let header = Self.entryHeader(at: from, in: source) {
                        // Each frame's length is its header's (whole, by the list's invariant).
                        let frame = header.length
                        guard from + 8 + frame <= source.count, to + frame <= length else { break }
                        let destination = UnsafeMutableRawBufferPointer(rebasing: target[to..<to + frame])
                        destination.copyMemory(
                            from: UnsafeRawBufferPointer(rebasing: source[from + 8..<from + 8 + frame]))
                        destination.storeBytes(of: xid.bigEndian, toByteOffset: 4, as: UInt32.self)
                        if header.type == MessageType.flowMod.rawValue { flowMods += 1 }
                        from += 8 + frame
                        to += frame
                    }
                    return to
                }
            }
            return flowMods
        }

        public var startIndex: Index { Index(offset: entries.readerIndex) }
        public var endIndex: Index { Index(offset: entries.writerIndex) }
        public var isEmpty: Bool { count == 0 }

        public func index(after index: Index) -> Index { entry(at: index).next }

        public subscript(index: Index) -> SwitchMessage { entry(at: index).message }

        public func makeIterator() -> Iterator { Iterator(list: self, index: startIndex) }

        public struct Iterator: IteratorProtocol {
            let list: SwitchMessageList
            var index: Index

            public mutating func next() -> SwitchMessage? {
                guard index != list.endIndex else { return nil }
                let (message, next) = list.entry(at: index)
                index = next
                return message
            }
        }

        /// The entry at `index` and where the next begins, read through one view of the bytes.
        /// The next index is clamped to the end, so that no reading could loop past it.
        private func entry(at index: Index) -> (message: SwitchMessage, next: Index) {
            let relative = index.offset - entries.readerIndex
            let (dpid, length) = entries.withUnsafeReadableBytes { bytes -> (UInt64, Int) in
                guard let header = Self.entryHeader(at: relative, in: bytes) else { return (0, OpenFlowHeader.size) }
                return (header.dpid, header.length)
            }
            let frame = entries.getSlice(at: index.offset + 8, length: length) ?? ByteBuffer()
            let next = Index(offset: Swift.min(index.offset + 8 + length, entries.writerIndex))
            return (SwitchMessage(datapathID: DatapathID(rawValue: dpid), checkedFrame: frame), next)
        }

        public static func == (lhs: SwitchMessageList, rhs: SwitchMessageList) -> Bool {
            lhs.count == rhs.count && lhs.entries == rhs.entries
        }

        public func hash(into hasher: inout Hasher) {
            hasher.combine(count)
            hasher.combine(entries)
        }
    }
}
