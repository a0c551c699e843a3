// Indexes the pages of a built site (every `.html` file under FOLDER, read into memory first)
// as the build's search stage does: each page's text taken from its HTML, then scored, sharded
// and written into index files in memory. Prints the mean time of ROUNDS indexings.
//
//   SearchBench FOLDER [ROUNDS]
//
// The search stage is the build's largest cost after Markdown (bench/build/run.sh); this runs
// it alone, so that it can be timed or run under valgrind without the rest of the build.
import Foundation
import Search

let arguments = CommandLine.arguments
guard arguments.count == 2 || arguments.count == 3, let rounds = Int(arguments.count == 3 ? arguments[2] : "1"),
    rounds > 0
else {
    FileHandle.standardError.write(Data("usage: SearchBench FOLDER [ROUNDS]\n".utf8))
    exit(2)
}
let folder = URL(fileURLWithPath: arguments[1]).standardizedFileURL.path
let paths = (FileManager.default.enumerator(atPath: folder)?.allObjects as? [String] ?? [])
    .filter { $0.hasSuffix(".html") }.sorted()
let pages = paths.compactMap { FileManager.default.contents(atPath: "\(folder)/\($0)").map { [UInt8]($0) } }
guard !pages.isEmpty, pages.count == paths.count else {
    FileHandle.standardError.write(Data("SearchBench: no readable .html files under \(folder)\n".utf8))
    exit(1)
}

var fileBytes = 0
let start = ContinuousClock.now
for _ in 0..<rounds {
    let index = SearchIndex(count: pages.count) { position in
        let text = pages[position].withUnsafeBufferPointer(searchableText(ofPageBytes:))
        return SearchDocument(url: "/\(paths[position])", title: text.heading ?? "", textUTF8: text.text)
    }
    fileBytes += index.files.values.reduce(0) { $0 + $1.count }
}
let elapsed = ContinuousClock.now - start
let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
print(
    String(
        format: "%d pages, %.1f ms an indexing, %d bytes of index files", pages.count, seconds * 1000 / Double(rounds),
        fileBytes / rounds))
