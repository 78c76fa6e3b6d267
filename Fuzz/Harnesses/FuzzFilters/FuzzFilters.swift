import ControlPlane
import FuzzSupport
import UnitProtocol

/// A filter rule as an operator or another unit's exports give it: installed in a filter table
/// as a unit below installs a service's rules. It parses or is refused with an error; nothing
/// else may happen.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzFilters(_ start: UnsafeRawPointer, _ count: Int) -> CInt {
    let text = FuzzInput.text(start, count)
    var table = FilterTable()
    _ = try? table.install(
        text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init), for: ServiceID(1))
    return 0
}
