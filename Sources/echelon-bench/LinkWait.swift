import NIOCore

/// Waits until the controller knows every cable of the fabric, before a benchmark that needs
/// them starts: a path is only installed over links the controller has discovered, and hosts
/// are only learned on ports it knows to have none.
enum LinkWait {
    struct Outcome: Sendable {
        /// The controller's graph (or, without the admin API, the probes carried) covers every cable.
        var complete: Bool
        /// From the call (every switch configured) until complete, or until giving up.
        var seconds: Double
        /// Links in the unit's graph when last read; without the admin API, the cable
        /// directions that have carried a probe, halved.
        var links: Int
        /// Why the admin API could not be read, when it could not at the end.
        var lastError: String?
    }

    /// With `admin`, polls the unit's `/topology` until its graph holds `links` links; without
    /// it, waits until every direction of every cable has carried a probe, and a second more
    /// for the controller to take in the last of them.
    static func untilKnown(
        links expected: Int, admin: AdminAPI?, session: LoadSession, timeout: Double
    ) async throws -> Outcome {
        let start = NIODeadline.now()
        let deadline = start + .milliseconds(Int64(timeout * 1000))
        let elapsed = { Double((NIODeadline.now() - start).nanoseconds) / 1e9 }
        var outcome = Outcome(complete: false, seconds: 0, links: 0)
        while NIODeadline.now() < deadline {
            if let admin {
                do {
                    outcome.links = try await admin.get("/topology", as: AdminAPI.Topology.self).links.count
                    outcome.lastError = nil
                } catch {
                    outcome.lastError = "\(error)"
                }
            } else {
                outcome.links = try await session.read { ($0.relay?.directionsCarried ?? 0) / 2 }
            }
            if outcome.links >= expected {
                if admin == nil { try await Task.sleep(for: .seconds(1)) }
                outcome.complete = true
                break
            }
            try await Task.sleep(for: .milliseconds(200))
        }
        outcome.seconds = elapsed()
        return outcome
    }
}
