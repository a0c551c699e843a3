#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// The pages whose body (`content`, `summary`, `toc`, word counts) one render read, so that a
/// live rebuild after a body edit re-renders exactly the outputs that show some of it.
///
/// Liquid asks a page for its properties with no way to say for which render, and one render
/// runs on one thread from start to end, so the recorder is the thread's.
final class BodyReads {
    private var pages: Set<ObjectIdentifier> = []

    private static let key: pthread_key_t = {
        var key = pthread_key_t()
        pthread_key_create(&key, nil)
        return key
    }()

    static func note(_ page: Page) {
        guard let raw = pthread_getspecific(key) else { return }
        Unmanaged<BodyReads>.fromOpaque(raw).takeUnretainedValue().pages.insert(ObjectIdentifier(page))
    }

    /// Runs `body` on this thread, returning what it made and the pages whose body it read.
    static func recording<T>(_ body: () -> T) -> (T, Set<ObjectIdentifier>) {
        let recorder = BodyReads()
        let previous = pthread_getspecific(key)
        pthread_setspecific(key, Unmanaged.passUnretained(recorder).toOpaque())
        defer { pthread_setspecific(key, previous) }
        let result = withExtendedLifetime(recorder) { body() }
        return (result, recorder.pages)
    }
}
