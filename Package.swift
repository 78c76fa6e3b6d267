// swift-tools-version: 6.1
import PackageDescription

// Layers, each with one job; dependencies point down this list only:
//   OpenFlow, Packets   pure wire code (values in, bytes out); NIOCore only
//   UnitProtocol        pure wire code of the inter-unit protocol (OpenFlow VENDOR messages)
//   ControlPlane        pure state machines (events in, actions out)
//   ConfigurationFiles  a unit's file and a whole control plane's description, read and checked
//   Runtime             all I/O: SwiftNIO channels, timers, dialing
//   Services            controller applications behind one protocol
//   echelon             the command-line interface
let package = Package(
    name: "Echelon",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "echelon", targets: ["echelon"]),
        .library(name: "OpenFlow", targets: ["OpenFlow"]),
        .library(name: "Packets", targets: ["Packets"]),
        .library(name: "UnitProtocol", targets: ["UnitProtocol"]),
        // For the fuzzing harnesses (Fuzz/), which live in a package of their own.
        .library(name: "ControlPlane", targets: ["ControlPlane"]),
        .library(name: "ConfigurationFiles", targets: ["ConfigurationFiles"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/x-sheep/swift-property-based.git", from: "2.0.1"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
        .package(url: "https://github.com/HdrHistogram/hdrhistogram-swift.git", from: "0.2.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", from: "2.28.1"),
        .package(url: "https://github.com/apple/swift-crypto.git", from: "4.5.0"),
        .package(url: "https://github.com/apple/swift-metrics.git", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus.git", from: "2.4.1"),
        .package(url: "https://github.com/apple/swift-nio-ssl.git", from: "2.37.6"),
        .package(url: "https://github.com/apple/swift-certificates.git", from: "1.21.1"),
        .package(url: "https://github.com/apple/swift-asn1.git", from: "1.7.4"),
    ],
    targets: [
        .target(
            name: "OpenFlow",
            dependencies: [.product(name: "NIOCore", package: "swift-nio")]
        ),
        .target(
            name: "Packets",
            dependencies: ["OpenFlow", .product(name: "NIOCore", package: "swift-nio")]
        ),
        .target(
            name: "UnitProtocol",
            dependencies: ["OpenFlow", .product(name: "NIOCore", package: "swift-nio")]
        ),
        .target(
            name: "ControlPlane",
            dependencies: [
                "OpenFlow", "Packets", "UnitProtocol", .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "Crypto", package: "swift-crypto"),
            ]
        ),
        .target(
            name: "ConfigurationFiles",
            dependencies: [
                "OpenFlow", "UnitProtocol", "ControlPlane", .product(name: "NIOCore", package: "swift-nio"),
            ]
        ),
        .target(
            name: "Runtime",
            dependencies: [
                "OpenFlow", "Packets", "UnitProtocol", "ControlPlane", "ConfigurationFiles",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "X509", package: "swift-certificates"),
                .product(name: "SwiftASN1", package: "swift-asn1"),
                .product(name: "Crypto", package: "swift-crypto"),
            ]
        ),
        .target(
            name: "Services",
            dependencies: [
                "OpenFlow", "Packets", "UnitProtocol", "ControlPlane", .product(name: "NIOCore", package: "swift-nio"),
            ]
        ),
        .executableTarget(
            name: "echelon",
            dependencies: [
                "OpenFlow", "Packets", "UnitProtocol", "ControlPlane", "ConfigurationFiles", "Runtime", "Services",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
            ]
        ),
        .executableTarget(
            name: "echelon-bench",
            dependencies: [
                "OpenFlow", "Packets", "UnitProtocol", "ControlPlane", "Services",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "Histogram", package: "hdrhistogram-swift"),
            ],
            // A measuring tool, whose CPU competes with the units it measures on a small machine:
            // built without run-time exclusivity checks in release (its debug-built tests keep them).
            swiftSettings: [.unsafeFlags(["-enforce-exclusivity=unchecked"], .when(configuration: .release))]
        ),
        // Runs child processes from tests with a time limit (shared by the test targets).
        .target(
            name: "TestSupport",
            dependencies: [.product(name: "PropertyBased", package: "swift-property-based")],
            path: "Tests/TestSupport"
        ),
        .testTarget(
            name: "OpenFlowTests",
            dependencies: [
                "OpenFlow", "TestSupport",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOEmbedded", package: "swift-nio"),
                .product(name: "PropertyBased", package: "swift-property-based"),
            ],
            resources: [.copy("Vectors")]
        ),
        .testTarget(
            name: "UnitProtocolTests",
            dependencies: [
                "UnitProtocol", "OpenFlow", "TestSupport",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "PropertyBased", package: "swift-property-based"),
            ]
        ),
        .testTarget(
            name: "ControlPlaneTests",
            dependencies: [
                "ControlPlane", "OpenFlow", "Packets", "UnitProtocol", "TestSupport",
                .product(name: "PropertyBased", package: "swift-property-based"),
                .product(name: "NIOCore", package: "swift-nio"),
            ]
        ),
        .testTarget(
            name: "ServicesTests",
            dependencies: [
                "Services", "ControlPlane", "OpenFlow", "Packets", "UnitProtocol",
                .product(name: "NIOCore", package: "swift-nio"),
            ]
        ),
        .testTarget(
            name: "RuntimeTests",
            dependencies: [
                "Runtime", "ConfigurationFiles", "ControlPlane", "OpenFlow", "Services", "UnitProtocol",
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "X509", package: "swift-certificates"),
                .product(name: "SwiftASN1", package: "swift-asn1"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOEmbedded", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .testTarget(
            name: "IntegrationTests",
            dependencies: [
                "OpenFlow", "UnitProtocol", "TestSupport", "Runtime", "ConfigurationFiles",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
            ]
        ),
        .testTarget(
            name: "EchelonCLITests",
            dependencies: [
                "echelon", "OpenFlow", "UnitProtocol", "TestSupport", .product(name: "NIOCore", package: "swift-nio"),
            ]
        ),
        .testTarget(
            name: "BenchTests",
            dependencies: [
                "echelon-bench", "OpenFlow", .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ]
        ),
        .testTarget(
            name: "PacketsTests",
            dependencies: [
                "Packets", "OpenFlow",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "PropertyBased", package: "swift-property-based"),
            ]
        ),
    ],
    swiftLanguageModes: [.v6]
)
