// swift-tools-version:6.0
import PackageDescription

let package = Package(
    name: "Bridgehead",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "bridgehead", targets: ["bridgehead"])
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.0.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.0.0"),
        .package(url: "https://github.com/apple/swift-log", from: "1.6.0"),
    ],
    targets: [
        // file:line:col errors with a cause chain; shared by every other target.
        .target(name: "Diagnostics"),
        // The C library, found through pkg-config; every call into it lives in Markdown/CmarkBridge.swift.
        .systemLibrary(
            name: "CCmarkGFM",
            pkgConfig: "libcmark-gfm",
            providers: [.apt(["libcmark-gfm-dev", "libcmark-gfm-extensions-dev"])]
        ),
        // Exclusive access is checked at run time in debug builds (the tests) only: in release
        // builds of these two, the checks on class properties in the hot loops (cmark's
        // allocation callbacks, the tree walk, the renderer's state) were 2% of a site build.
        .target(
            name: "Markdown", dependencies: ["CCmarkGFM", "Diagnostics"],
            swiftSettings: [.unsafeFlags(["-enforce-exclusivity=unchecked"], .when(configuration: .release))]),
        .target(
            name: "Liquid", dependencies: ["Diagnostics"],
            swiftSettings: [.unsafeFlags(["-enforce-exclusivity=unchecked"], .when(configuration: .release))]),
        .target(name: "LinkChecker", dependencies: ["Diagnostics"]),
        // Work spread over all cores with results in order; the one place with unsafe pointers for it.
        .target(name: "Parallel"),
        // The search index (Korean-aware tokens, shards by prefix) and the script that reads it.
        .target(name: "Search", dependencies: ["Parallel"]),
        .target(
            name: "SiteBuilder",
            dependencies: ["Diagnostics", "Markdown", "Liquid", "LinkChecker", "Parallel", "Search", "Yams"]
        ),
        // `bridgehead serve`: serves a build from memory, watches the sources, live-reloads browsers.
        .target(
            name: "PreviewServer",
            dependencies: [
                "SiteBuilder", "Markdown", "Diagnostics",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .executableTarget(
            name: "bridgehead",
            dependencies: [
                "Diagnostics", "Liquid", "LinkChecker", "SiteBuilder", "PreviewServer",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        // Times repeated renders of one template for bench/liquid/run.sh.
        .executableTarget(name: "liquid-bench", dependencies: ["Liquid"]),
        // bench/markdown/run.sh: MarkdownRenderer against the cmark-gfm command on a generated corpus.
        .executableTarget(name: "MarkdownBench", dependencies: ["Markdown"], path: "bench/markdown/MarkdownBench"),
        // bench/search: the search stage alone (text from built pages, scoring, index files), timed or under valgrind.
        .executableTarget(name: "SearchBench", dependencies: ["Search"], path: "bench/search/SearchBench"),
        .testTarget(name: "DiagnosticsTests", dependencies: ["Diagnostics"]),
        .testTarget(name: "LiquidTests", dependencies: ["Liquid"]),
        .testTarget(name: "MarkdownTests", dependencies: ["Markdown"]),
        .testTarget(name: "LinkCheckerTests", dependencies: ["LinkChecker"]),
        .testTarget(name: "SearchTests", dependencies: ["Search"]),
        // Also runs the built `bridgehead build` on every invalid-input case, so it depends on it.
        .testTarget(name: "SiteBuilderTests", dependencies: ["SiteBuilder", "Search", "bridgehead"]),
        .testTarget(name: "PortalTests", dependencies: ["Markdown"]),
        .testTarget(name: "PreviewServerTests", dependencies: ["PreviewServer", "Diagnostics"]),
        // Runs the built `bridgehead` binary as a user would; depends on it so it is built first.
        .testTarget(name: "CLITests", dependencies: ["bridgehead"]),
    ],
    swiftLanguageModes: [.v6]
)
