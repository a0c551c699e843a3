// swift-tools-version:6.0
// libFuzzer targets for Bridgehead, kept out of the main package so that a plain `swift build`
// there never meets `-sanitize=fuzzer`. The project's targets are compiled again here from
// the same folders (Shared/ holds symlinks to ../Sources/…), so no library product had to be
// added to the main package; the fuzz targets use `@testable import`, which debug builds allow.
// Build: swift build -Xswiftc -sanitize=fuzzer,address -Xswiftc -parse-as-library   (see README.md)
import PackageDescription

let package = Package(
    name: "BridgeheadFuzz",
    platforms: [.macOS(.v15)],
    dependencies: [
        .package(url: "https://github.com/jpsim/Yams", from: "6.0.0")
    ],
    targets: [
        .target(name: "Diagnostics", path: "Shared/Diagnostics"),
        .systemLibrary(name: "CCmarkGFM", path: "Shared/CCmarkGFM", pkgConfig: "libcmark-gfm"),
        .target(name: "Markdown", dependencies: ["CCmarkGFM", "Diagnostics"], path: "Shared/Markdown"),
        .target(name: "Liquid", dependencies: ["Diagnostics"], path: "Shared/Liquid"),
        .target(name: "LinkChecker", dependencies: ["Diagnostics"], path: "Shared/LinkChecker"),
        .target(name: "Parallel", path: "Shared/Parallel"),
        .target(name: "Search", dependencies: ["Parallel"], path: "Shared/Search"),
        .target(
            name: "SiteBuilder",
            dependencies: ["Diagnostics", "Markdown", "Liquid", "LinkChecker", "Parallel", "Search", "Yams"],
            path: "Shared/SiteBuilder"),
        .target(name: "FuzzDriver"),
        .executableTarget(name: "FuzzLiquid", dependencies: ["Liquid", "FuzzDriver"]),
        .executableTarget(name: "FuzzFrontMatter", dependencies: ["SiteBuilder", "FuzzDriver"]),
        .executableTarget(name: "FuzzHTMLScanner", dependencies: ["LinkChecker", "FuzzDriver"]),
        .executableTarget(name: "FuzzMarkdown", dependencies: ["Markdown", "FuzzDriver"]),
    ],
    swiftLanguageModes: [.v6]
)
