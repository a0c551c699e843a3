import Dispatch
import Synchronization

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A pointer handed to the workers of `parallelMap`; each writes only its own slots.
private struct Slots<T>: @unchecked Sendable {
    let base: UnsafeMutablePointer<T>
}

/// `body` for every index in `0..<count`, on all cores unless `serial`, with the results in
/// index order whatever order the work finished in. The one way the build and the search index
/// spread work over cores, shared so that neither keeps its own unsafe pointer handling.
public func parallelMap<T>(_ count: Int, serial: Bool = false, _ body: @Sendable (Int) -> T) -> [T] {
    guard count > 0 else { return [] }
    return [T](unsafeUninitializedCapacity: count) { buffer, initialized in
        guard let base = buffer.baseAddress else { return }
        let slots = Slots(base: base)
        if serial || count == 1 {
            for index in 0..<count { (slots.base + index).initialize(to: body(index)) }
        } else {
            DispatchQueue.concurrentPerform(iterations: count) { index in
                (slots.base + index).initialize(to: body(index))
            }
        }
        initialized = count
    }
}

/// Calls `work` once on each core (once in all if `serial`); the calls share out the indices
/// `0..<count` through `next`, each index given once, until it returns nil. For work that
/// keeps something of its own from one index to the next on its thread: the parse stage keeps
/// documents waiting for cmark-gfm's one-at-a-time inline parsing while it feeds the next ones.
public func forEachIndex(_ count: Int, serial: Bool = false, _ work: @Sendable (_ next: () -> Int?) -> Void) {
    guard count > 0 else { return }
    let counter = SharedCounter()
    let next: @Sendable () -> Int? = {
        let index = counter.value.add(1, ordering: .relaxed).oldValue
        return index < count ? index : nil
    }
    let workers = serial ? 1 : min(count, processorCount)
    if workers == 1 {
        work(next)
    } else {
        DispatchQueue.concurrentPerform(iterations: workers) { _ in work(next) }
    }
}

/// The cores work is spread over.
public var processorCount: Int { max(1, Int(sysconf(Int32(_SC_NPROCESSORS_ONLN)))) }

private final class SharedCounter: Sendable {
    let value = Atomic<Int>(0)
}
