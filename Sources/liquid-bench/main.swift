// Renders one template many times and prints the mean time per render, for bench/liquid/run.sh.
import Foundation
import Liquid

struct FolderLoader: TemplateLoader {
    let folder: String

    func loadTemplate(named name: String) throws -> (source: String, path: String)? {
        let path = "\(folder)/\(name).liquid"
        guard let data = FileManager.default.contents(atPath: path) else { return nil }
        return (String(decoding: data, as: UTF8.self), path)
    }
}

let arguments = CommandLine.arguments
guard arguments.count == 5, let iterations = Int(arguments[4]) else {
    FileHandle.standardError.write(Data("usage: liquid-bench TEMPLATE INCLUDES DATA.json ITERATIONS\n".utf8))
    exit(2)
}
do {
    let source = String(decoding: FileManager.default.contents(atPath: arguments[1]) ?? Data(), as: UTF8.self)
    let json = String(decoding: FileManager.default.contents(atPath: arguments[3]) ?? Data(), as: UTF8.self)
    guard case .object(let data) = try LiquidValue(json: json, path: arguments[3]) else { exit(1) }
    let context = Dictionary(data.pairs, uniquingKeysWith: { _, last in last })
    let template = try LiquidEnvironment(loader: FolderLoader(folder: arguments[2])).parse(source, path: arguments[1])
    var bytes = try template.render(context).utf8.count
    let start = ContinuousClock.now
    for _ in 0..<iterations {
        bytes &+= try template.render(context).utf8.count
    }
    let elapsed = ContinuousClock.now - start
    let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
    print(String(format: "%.2f", seconds / Double(iterations) * 1e6), bytes)
} catch {
    FileHandle.standardError.write(Data("\(error)\n".utf8))
    exit(1)
}
