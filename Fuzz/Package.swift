// swift-tools-version: 6.1
import PackageDescription

// libFuzzer harnesses for the parsers that read what comes from outside a unit: OpenFlow from
// switches, the unit protocol from other units, the filter language and configuration files
// from operators, and LLDP frames from the data plane. Kept out of the root package: they are
// built only with the toolchain's fuzzer sanitizer (`-sanitize=fuzzer`), which gives them their
// `main`. Scripts/fuzz builds and runs them.
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
        .executableTarget(
            name: "FuzzOpenFlow",
            dependencies: [
                "FuzzSupport", .product(name: "OpenFlow", package: "Echelon"),
                .product(name: "NIOCore", package: "swift-nio"),
            ],
            path: "Harnesses/FuzzOpenFlow"
        ),
        .executableTarget(
            name: "FuzzUnitProtocol",
            dependencies: [
                "FuzzSupport", .product(name: "OpenFlow", package: "Echelon"),
                .product(name: "UnitProtocol", package: "Echelon"), .product(name: "NIOCore", package: "swift-nio"),
            ],
            path: "Harnesses/FuzzUnitProtocol"
        ),
        .executableTarget(
            name: "FuzzFilters",
            dependencies: [
                "FuzzSupport", .product(name: "ControlPlane", package: "Echelon"),
                .product(name: "UnitProtocol", package: "Echelon"),
            ],
            path: "Harnesses/FuzzFilters"
        ),
        .executableTarget(
            name: "FuzzConfiguration",
            dependencies: ["FuzzSupport", .product(name: "ConfigurationFiles", package: "Echelon")],
            path: "Harnesses/FuzzConfiguration"
        ),
        .executableTarget(
            name: "FuzzLLDP",
            dependencies: [
                "FuzzSupport", .product(name: "Packets", package: "Echelon"),
                .product(name: "NIOCore", package: "swift-nio"),
            ],
            path: "Harnesses/FuzzLLDP"
        ),
    ],
    swiftLanguageModes: [.v6]
)
