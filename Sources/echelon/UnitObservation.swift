import ConfigurationFiles
import Runtime

/// What one running unit's admin API says of it now: its channels and its route table, and,
/// when asked for, its domain's topology. Nil when the API does not answer.
struct UnitObservation {
    var neighbours: [UnitView]
    var routes: [RouteView]
    var topology: TopologyView?

    static func read(_ unit: ControlPlaneDescription.Unit, topology: Bool = false) async -> UnitObservation? {
        let client = AdminClient(authority: unit.admin.description)
        guard let neighbours = try? await client.get("units", as: [UnitView].self),
            let routes = try? await client.get("routes", as: [RouteView].self)
        else { return nil }
        let view = topology ? try? await client.get("topology", as: TopologyView.self) : nil
        return UnitObservation(neighbours: neighbours, routes: routes, topology: view)
    }
}
