import ConfigurationFiles
import Foundation
import FuzzSupport

/// A unit's configuration file and a control plane's description, as an operator writes them:
/// read and checked as `echelon run` and `echelon topologize` read them. Each is accepted or
/// refused with an error; nothing else may happen.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzConfiguration(_ start: UnsafeRawPointer, _ count: Int) -> CInt {
    let data = Data(bytes: start, count: count)
    _ = try? JSONDecoder().decode(UnitConfiguration.self, from: data)
    if let description = try? JSONDecoder().decode(ControlPlaneDescription.self, from: data) {
        _ = try? description.unitFiles(file: "fuzz.json", descriptionFolder: "/fuzz", folder: "/fuzz")
    }
    return 0
}
