import UnitProtocol

/// Per-service dispatch counters in a dense array. A service's index is given out once, when
/// it is first installed or hosted, and travels with its `DispatchTarget` and its
/// transactions, so that counting an event or an answer indexes an array instead of hashing
/// its SID (three times for every event a unit sends up).
struct ServiceCounterTable: Sendable {
    private var indices: [ServiceID: Int] = [:]
    private var sids: [ServiceID] = []
    private var counters: [ServiceDispatchCounters] = []

    /// The service's index, given out on first use and kept (its counters outlive its route).
    mutating func index(for sid: ServiceID) -> Int {
        if let index = indices[sid] { return index }
        indices[sid] = counters.count
        sids.append(sid)
        counters.append(ServiceDispatchCounters())
        return counters.count - 1
    }

    subscript(index: Int) -> ServiceDispatchCounters {
        get { counters[index] }
        _modify { yield &counters[index] }
    }

    /// The counters of every service something has happened to, by SID.
    var bySID: [ServiceID: ServiceDispatchCounters] {
        var result: [ServiceID: ServiceDispatchCounters] = [:]
        for (sid, counters) in zip(sids, counters) where counters != ServiceDispatchCounters() {
            result[sid] = counters
        }
        return result
    }
}
