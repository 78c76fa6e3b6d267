// swift-tools-version: 6.1
import PackageDescription

// libFuzzer harnesses for the parsers that read what comes from outside a unit: OpenFlow from
// switches, the unit protocol from other units, the filter language and configuration files
// from operators, and LLDP frames from the data plane. Kept out of the root package: they are
// built only with the toolchain's fuzzer sanitizer (`-sanitize=fuzzer`), which gives them their
// `main`. Scripts/fuzz builds and runs them.
/// A harness: an executable target in Harnesses/NAME that reads the given products of the
/// project (and NIOCore when it takes `nio`), with FuzzSupport.
func harness(_ name: String, echelon products: [String], nio: Bool = false) -> Target {
    .executableTarget(
        name: name,
        dependencies: ["FuzzSupport"] + products.map { .product(name: $0, package: "Echelon") }
            + (nio ? [.product(name: "NIOCore", package: "swift-nio")] : []),
        path: "Harnesses/\(name)"
    )
}

let package = Package(
    name: "EchelonFuzz",
    platforms: [.macOS(.v14)],
    dependencies: [
        .package(name: "Echelon", path: ".."),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
    ],
    targets: [
        // The entry point SwiftPM expects of each executable, handed to libFuzzer's driver.
        .target(name: "FuzzMain", path: "Harnesses/FuzzMain"),
        .target(
            name: "FuzzSupport",
            dependencies: ["FuzzMain", .product(name: "NIOCore", package: "swift-nio")],
            path: "Harnesses/FuzzSupport"
        ),
        harness("FuzzOpenFlow", echelon: ["OpenFlow"], nio: true),
        harness("FuzzUnitProtocol", echelon: ["OpenFlow", "UnitProtocol"], nio: true),
        harness("FuzzFilters", echelon: ["ControlPlane", "UnitProtocol"]),
        harness("FuzzConfiguration", echelon: ["ConfigurationFiles"]),
        harness("FuzzLLDP", echelon: ["Packets"], nio: true),
    ],
    swiftLanguageModes: [.v6]
)
