// swift-tools-version: 6.1
import PackageDescription

// Benchmarks of the OpenFlow wire library, kept out of the root package so that the benchmark
// plugin and its dependencies never enter the main build or its test suite.
// Run them with Scripts/bench-wire from the repository root.
let package = Package(
    name: "EchelonBenchmarks",
    platforms: [.macOS(.v14)],
    dependencies: [
        .package(name: "Echelon", path: ".."),
        // Only the malloc interposer: it backs the malloc metrics without jemalloc. Naming the
        // trait list replaces the default one, which also holds "RuntimeInterposer" (the Swift
        // 6.3 ARC interposer, a package not available here and not needed for these metrics).
        .package(url: "https://github.com/ordo-one/benchmark.git", exact: "1.38.1", traits: ["MallocInterposer"]),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
    ],
    targets: [
        .executableTarget(
            name: "WireBenchmarks",
            dependencies: [
                .product(name: "Benchmark", package: "benchmark"),
                .product(name: "OpenFlow", package: "Echelon"),
                .product(name: "Packets", package: "Echelon"),
                .product(name: "NIOCore", package: "swift-nio"),
            ],
            path: "Benchmarks/WireBenchmarks",
            swiftSettings: [.swiftLanguageMode(.v6)],
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        )
    ]
)
