import Dispatch

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
