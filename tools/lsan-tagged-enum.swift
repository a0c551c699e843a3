// Why LeakSanitizer reports "direct leaks" of objects a Swift program still holds: a box of an
// `indirect enum` is referenced through a pointer with the enum's case in its spare bits, which
// LeakSanitizer does not take for a pointer. Everything here stays reachable from a global until
// exit, yet:
//
//   swiftc -O -sanitize=address tools/lsan-tagged-enum.swift -o /tmp/lsan-tagged-enum
//   /tmp/lsan-tagged-enum     # exit 1: "Direct leak of 280 byte(s) in 5 object(s)": the boxes
//
// `bridgehead build` and `publish` keep their last build until the process ends (the kernel
// frees it faster than a teardown would), and its parsed templates hold such boxes
// (`Condition`): the ASan-built executable reports them at exit.
indirect enum Condition {
    case value(Int)
    case and(Condition, Condition)
    case or(Condition, Condition)
    case comparison(String, Int, String)
}

final class Branch {
    let condition: Condition?
    init(_ condition: Condition?) { self.condition = condition }
}

nonisolated(unsafe) var kept: [Branch] = []
for index in 0..<5 {
    kept.append(Branch(.comparison("left side \(index) of the comparison", index, "right")))
}
print("kept \(kept.count) branches")
