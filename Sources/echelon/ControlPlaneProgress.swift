import ConfigurationFiles
import Foundation
import Runtime

/// How far a control plane has come up, unit by unit, read from each unit's admin API: its
/// process, its channels to the neighbours the description gives it, and its route table
/// against the services it must reach (its own, and those exported by every unit above it
/// along its upstream links).
struct ControlPlaneProgress {
    struct UnitState: Equatable {
        var name: String
        var pid: Int32?
        /// Why the unit is not up yet, or nil when it is.
        var stuck: String?
        var channels: String
        var routes: String
    }

    let processes: ControlPlaneProcesses

    /// The SIDs a unit must have a route to once everything is up.
    func expectedServices(of unit: ControlPlaneDescription.Unit) -> Set<UInt32> {
        var seen: Set<String> = []
        var pending = [unit.name]
        var sids: Set<UInt32> = []
        while let name = pending.popLast() {
            guard seen.insert(name).inserted, let next = processes.description.unit(named: name) else { continue }
            for service in next.services {
                if case .integer(let sid)? = service.objectValue?["sid"], let sid = UInt32(exactly: sid) {
                    sids.insert(sid)
                }
            }
            pending += next.upstream
        }
        return sids
    }

    func state(of unit: ControlPlaneDescription.Unit) async -> UnitState {
        let pid = processes.runningPID(of: unit.name)
        var state = UnitState(name: unit.name, pid: pid, stuck: nil, channels: "-", routes: "-")
        guard pid != nil else {
            let last = processes.logTail(of: unit.name, lines: 1).joined()
            state.stuck = "not running" + (last.isEmpty ? "" : "; its log ends: \(last)")
            return state
        }
        guard let observed = await UnitObservation.read(unit) else {
            state.stuck = "its admin API at \(unit.admin) does not answer yet"
            return state
        }
        let (neighbours, routes) = (observed.neighbours, observed.routes)
        let wanted = unit.upstream + unit.peers
        let established = wanted.filter { name in
            neighbours.contains { $0.name == name && $0.state == "established" }
        }
        state.channels = "\(established.count)/\(wanted.count)"
        let expected = expectedServices(of: unit)
        let present = expected.filter { sid in routes.contains { $0.sid == sid } }
        state.routes = "\(present.count)/\(expected.count)"
        if let missing = wanted.first(where: { !established.contains($0) }) {
            let view = neighbours.first { $0.name == missing }
            state.stuck = "channel to \(missing): \(view?.state ?? "not dialed")"
        } else if let sid = expected.subtracting(present).min() {
            state.stuck = "no route yet to service \(sid)"
        }
        return state
    }

    func states() async -> [UnitState] {
        var states: [UnitState] = []
        for unit in processes.description.units { states.append(await state(of: unit)) }
        return states
    }

    static func table(_ states: [UnitState]) -> String {
        TextTable.render(
            header: ["UNIT", "PID", "CHANNELS", "ROUTES", "STATE"],
            rows: states.map { state in
                [state.name, state.pid.map(String.init) ?? "-", state.channels, state.routes, state.stuck ?? "up"]
            })
    }
}
