/// Values kept in numbered slots under ids that carry their slot: an id is the slot's index in
/// its low bits and the slot's generation above them (8 to 32 bits, by capacity). Finding a
/// value is an array index, not a hash, and an id whose slot has since been reused finds
/// another generation, hence nothing. Ids are never 0 and never one still in use. Freed slots
/// are reused last-freed first, while they are still in the cache.
///
/// The XID translation table and the parked contexts keep their entries this way: both are
/// looked up once or twice for every event that goes up and every answer that comes back.
public struct SlotTable<Value: Sendable>: Sendable {
    public let capacity: Int
    private var slots: [Slot] = []
    /// Slots that are free again, most recently freed last, each as the id it was last issued
    /// under (its index in the low bits): the next id is worked out from this list alone, since
    /// a slot freed a burst ago is often out of the cache by the time it is reused.
    private var free: [UInt32] = []
    private let indexBits: UInt32
    public private(set) var count = 0

    private struct Slot: Sendable {
        /// The id the slot was last issued under.
        var id: UInt32
        /// Nil once the slot is free.
        var value: Value?
    }

    public init(capacity: Int) {
        precondition(capacity > 0 && capacity <= 1 << 24, "capacity out of range")
        self.capacity = capacity
        // Enough low bits for every slot index; at least 8 bits are left for generations.
        self.indexBits = UInt32(Int.bitWidth - (capacity - 1).leadingZeroBitCount)
    }

    private var indexMask: UInt32 { indexBits == 0 ? 0 : (UInt32.max >> (32 - indexBits)) }

    private func slotIndex(of id: UInt32) -> Int? {
        let index = Int(id & indexMask)
        guard index < slots.count, slots[index].id == id, slots[index].value != nil else { return nil }
        return index
    }

    /// The id the next `insert` stores its value under; nil when every slot is taken. A caller
    /// that must hand the id out before the value is complete (a parked context's transactions
    /// name it) reads it here first.
    public var nextID: UInt32? {
        if let last = free.last {
            let generationMask = UInt32.max >> indexBits
            var generation = ((last >> indexBits) &+ 1) & generationMask
            if generation == 0 { generation = 1 }
            return (generation << indexBits) | (last & indexMask)
        }
        guard slots.count < capacity else { return nil }
        return (1 << indexBits) | UInt32(slots.count)
    }

    /// Stores a value under a fresh id (`nextID`), or returns nil when every slot is taken.
    public mutating func insert(_ value: consuming Value) -> UInt32? {
        guard let id = nextID else { return nil }
        if let last = free.popLast() {
            slots[Int(last & indexMask)] = Slot(id: id, value: value)
        } else {
            slots.append(Slot(id: id, value: value))
        }
        count += 1
        return id
    }

    /// Whether an id that finds nothing was issued here and has since been taken out: its slot
    /// exists and has been issued under it or a later generation. Generations wrap, so an id
    /// from long ago may be counted as ended when its slot has gone round since.
    public func hasEnded(_ id: UInt32) -> Bool {
        let index = Int(id & indexMask)
        let generation = id >> indexBits
        guard generation != 0, index < slots.count, slotIndex(of: id) == nil else { return false }
        return generation <= slots[index].id >> indexBits
    }

    public subscript(id: UInt32) -> Value? {
        slotIndex(of: id).flatMap { slots[$0].value }
    }

    /// Changes a stored value in place; nil when there is none (the result of `change` otherwise).
    public mutating func update<Result>(_ id: UInt32, _ change: (inout Value) -> Result) -> Result? {
        guard let index = slotIndex(of: id) else { return nil }
        return Self.change(&slots[index], change)
    }

    // Changed where it lies: moving a large value (a parked event) out and back costs two copies.
    private static func change<Result>(_ slot: inout Slot, _ change: (inout Value) -> Result) -> Result? {
        guard slot.value != nil else { return nil }
        // Present: checked on the line above.
        return change(&slot.value!)
    }

    /// Changes a stored value in place and takes it out when `change` says it is done: one
    /// look-up for both. Nil when there is none or it stays.
    public mutating func update(_ id: UInt32, removingWhen change: (inout Value) -> Bool) -> Value? {
        guard let index = slotIndex(of: id), Self.change(&slots[index], change) == true else { return nil }
        free.append(id)
        count -= 1
        return slots[index].value.take()
    }

    /// Takes a value out; its slot is free for another id.
    @discardableResult
    public mutating func remove(_ id: UInt32) -> Value? {
        guard let index = slotIndex(of: id) else { return nil }
        free.append(id)
        count -= 1
        return slots[index].value.take()
    }

    /// Every stored value with its id, in slot order.
    public var stored: [(id: UInt32, value: Value)] {
        slots.compactMap { slot in slot.value.map { (slot.id, $0) } }
    }

    /// Takes out every stored value `shouldRemove` selects, with its id, in slot order.
    public mutating func removeAll(where shouldRemove: (Value) -> Bool) -> [(id: UInt32, value: Value)] {
        var removed: [(id: UInt32, value: Value)] = []
        for index in slots.indices {
            guard let value = slots[index].value, shouldRemove(value) else { continue }
            removed.append((slots[index].id, value))
            slots[index].value = nil
            free.append(slots[index].id)
            count -= 1
        }
        return removed
    }
}
