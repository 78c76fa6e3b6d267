// swift-tools-version: 6.1
import PackageDescription

// Layers, each with one job; dependencies point down this list only:
//   OpenFlow, Packets   pure wire code (values in, bytes out); NIOCore only
//   ControlPlane        pure state machines (events in, actions out)
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
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/x-sheep/swift-property-based.git", from: "2.0.1"),
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
            name: "ControlPlane",
            dependencies: ["OpenFlow", "Packets"]
        ),
        .target(
            name: "Runtime",
            dependencies: [
                "OpenFlow", "Packets", "ControlPlane",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ]
        ),
        .target(
            name: "Services",
            dependencies: ["OpenFlow", "Packets", "ControlPlane"]
        ),
        .executableTarget(
            name: "echelon",
            dependencies: [
                "OpenFlow", "Packets", "ControlPlane", "Runtime", "Services",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .testTarget(
            name: "OpenFlowTests",
            dependencies: [
                "OpenFlow",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOEmbedded", package: "swift-nio"),
                .product(name: "PropertyBased", package: "swift-property-based"),
            ],
            resources: [.copy("Vectors")]
        ),
        .testTarget(
            name: "EchelonCLITests",
            dependencies: ["echelon", "OpenFlow", .product(name: "NIOCore", package: "swift-nio")]
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
