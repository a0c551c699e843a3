import Foundation

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// Checks URLs on other sites: HEAD first and GET when HEAD fails, a few hosts at a time,
/// retrying what may pass on a second try, with results remembered between runs.
struct ExternalLinkChecker {
    let options: LinkCheckOptions

    /// The reason each broken URL of `urls` is broken; URLs that work are absent.
    func check(_ urls: [String]) async throws -> [String: String] {
        var cache = try ExternalCache(
            file: options.externalCacheFile, maxAge: options.externalCacheMaxAge, now: Date())
        var broken: [String: String] = [:]
        var toFetch: [String] = []
        for url in urls {
            if let cached = cache.result(for: url) {
                if let reason = cached.brokenReason { broken[url] = reason }
            } else {
                toFetch.append(url)
            }
        }
        for (url, result) in await fetch(toFetch) {
            if let reason = result.brokenReason { broken[url] = reason }
            if result.isDefinitive { cache.store(result, for: url) }
        }
        try cache.save()
        return broken
    }

    /// Every URL probed: the hosts side by side, at most `maximumConnectionsPerHost` requests
    /// to one host and `maximumConnections` in all.
    private func fetch(_ urls: [String]) async -> [(String, ExternalResult)] {
        guard !urls.isEmpty else { return [] }
        let configuration = URLSessionConfiguration.ephemeral
        // Later than ours (see `request`), so that only whole seconds are ever asked of it.
        configuration.timeoutIntervalForRequest = backstopTimeout
        configuration.httpMaximumConnectionsPerHost = max(1, options.maximumConnectionsPerHost)
        configuration.urlCache = nil
        configuration.requestCachePolicy = .reloadIgnoringLocalCacheData
        let session = URLSession(configuration: configuration)
        defer { session.finishTasksAndInvalidate() }
        let slots = RequestSlots(max(1, options.maximumConnections))
        let hosts = Dictionary(grouping: urls, by: ExternalURL.host(of:))
        return await withTaskGroup(of: [(String, ExternalResult)].self) { group in
            for hostURLs in hosts.values {
                let queue = WorkQueue(count: hostURLs.count, batch: 1)
                for _ in 0..<min(max(1, options.maximumConnectionsPerHost), hostURLs.count) {
                    group.addTask {
                        var results: [(String, ExternalResult)] = []
                        while let next = queue.take() {
                            let url = hostURLs[next.lowerBound]
                            results.append((url, await probe(url, session: session, slots: slots)))
                        }
                        return results
                    }
                }
            }
            var all: [(String, ExternalResult)] = []
            for await results in group { all += results }
            return all
        }
    }

    private func probe(_ url: String, session: URLSession, slots: RequestSlots) async -> ExternalResult {
        guard let requestURL = URL(string: url), requestURL.host != nil else {
            return ExternalResult(brokenReason: "not a valid URL", isDefinitive: true)
        }
        var method = "HEAD"
        var retriesLeft = max(0, options.retries)
        var delay = options.retryDelay
        while true {
            await slots.acquire()
            let response = await request(requestURL, method: method, session: session)
            await slots.release()
            switch response {
            case .status(let code, let retryAfter, let finalURL):
                if code < 400 { return ExternalResult(brokenReason: nil, isDefinitive: true) }
                if code == 429, retriesLeft > 0 {
                    let wait = retryAfter ?? delay
                    guard wait <= Self.longestRetryAfter else {
                        return ExternalResult(
                            brokenReason: "\(Self.describe(status: code)) (asked to wait \(Self.seconds(wait)))",
                            isDefinitive: false)
                    }
                    await sleep(wait)
                    retriesLeft -= 1
                    delay *= 2
                    continue
                }
                // Many servers answer HEAD wrongly (405, 501, 404, 403…): GET decides.
                if method == "HEAD", code != 429 {
                    method = "GET"
                    continue
                }
                if code >= 500 || code == 408, retriesLeft > 0 {
                    await sleep(delay)
                    retriesLeft -= 1
                    delay *= 2
                    continue
                }
                var reason = Self.describe(status: code)
                if let finalURL, finalURL != url { reason += " (redirected to \(finalURL))" }
                return ExternalResult(brokenReason: reason, isDefinitive: code < 500 && code != 408 && code != 429)
            case .failure(let description):
                if method == "HEAD" {
                    method = "GET"
                    continue
                }
                if retriesLeft > 0 {
                    await sleep(delay)
                    retriesLeft -= 1
                    delay *= 2
                    continue
                }
                return ExternalResult(brokenReason: description, isDefinitive: false)
            }
        }
    }

    private enum Response: Sendable {
        case status(Int, retryAfter: TimeInterval?, finalURL: String?)
        case failure(String)
    }

    /// One request, given up after `options.timeout` seconds. The timeout is ours, not
    /// URLSession's: on Linux, URLSession truncates its timeouts to whole seconds.
    private func request(_ url: URL, method: String, session: URLSession) async -> Response {
        var request = URLRequest(
            url: url, cachePolicy: .reloadIgnoringLocalCacheData, timeoutInterval: backstopTimeout)
        request.httpMethod = method
        request.setValue("bridgehead-link-checker", forHTTPHeaderField: "User-Agent")
        let timeout = options.timeout
        let timedOut = Response.failure("timed out after \(Self.seconds(timeout))")
        return await withCheckedContinuation { continuation in
            let answer = SingleAnswer(continuation)
            let task = session.dataTask(with: request) { _, response, error in
                answer.give(describe(response, error))
            }
            task.resume()
            DispatchQueue.global().asyncAfter(deadline: .now() + timeout) {
                if answer.give(timedOut) { task.cancel() }
            }
        }
    }

    private var backstopTimeout: TimeInterval { options.timeout.rounded(.up) + 1 }

    private func describe(_ response: URLResponse?, _ error: (any Error)?) -> Response {
        if let error = error as? URLError { return .failure(describe(error)) }
        if let error { return .failure("request failed: \(error.localizedDescription)") }
        guard let http = response as? HTTPURLResponse else { return .failure("not an HTTP response") }
        return .status(
            http.statusCode, retryAfter: Self.retryAfter(http.value(forHTTPHeaderField: "Retry-After")),
            finalURL: http.url?.absoluteString)
    }

    private func describe(_ error: URLError) -> String {
        switch error.code {
        case .timedOut: "timed out after \(Self.seconds(options.timeout))"
        case .cannotFindHost, .dnsLookupFailed: "host not found"
        case .cannotConnectToHost: "connection refused"
        case .networkConnectionLost: "connection closed before the response"
        case .secureConnectionFailed, .serverCertificateUntrusted, .serverCertificateHasBadDate,
            .serverCertificateHasUnknownRoot, .serverCertificateNotYetValid:
            "TLS handshake failed"
        case .httpTooManyRedirects: "too many redirects"
        case .badServerResponse: "malformed response"
        case .notConnectedToInternet: "no network connection"
        default: "request failed (URL error \(error.code.rawValue))"
        }
    }

    private func sleep(_ seconds: TimeInterval) async {
        try? await Task.sleep(nanoseconds: UInt64(max(0, seconds) * 1_000_000_000))
    }

    /// Waits a server asks for beyond this are not honoured: the link is reported instead.
    static let longestRetryAfter: TimeInterval = 60

    /// `Retry-After: 120` or `Retry-After: Wed, 21 Oct 2015 07:28:00 GMT`.
    static func retryAfter(_ value: String?) -> TimeInterval? {
        guard let value = value?.trimmingCharacters(in: .whitespaces), !value.isEmpty else { return nil }
        if let seconds = Int(value) { return TimeInterval(max(0, seconds)) }
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "GMT")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss zzz"
        return formatter.date(from: value).map { max(0, $0.timeIntervalSinceNow) }
    }

    static func describe(status: Int) -> String {
        let phrases = [
            400: "Bad Request", 401: "Unauthorized", 403: "Forbidden", 404: "Not Found", 405: "Method Not Allowed",
            406: "Not Acceptable", 408: "Request Timeout", 410: "Gone", 429: "Too Many Requests",
            451: "Unavailable For Legal Reasons", 500: "Internal Server Error", 501: "Not Implemented",
            502: "Bad Gateway", 503: "Service Unavailable", 504: "Gateway Timeout",
        ]
        return phrases[status].map { "HTTP \(status) \($0)" } ?? "HTTP \(status)"
    }

    static func seconds(_ interval: TimeInterval) -> String {
        interval == interval.rounded() ? "\(Int(interval)) s" : "\(interval) s"
    }
}

struct ExternalResult: Sendable {
    /// nil when the URL works.
    var brokenReason: String?
    /// Whether another try soon would give the same answer, so that it may be cached:
    /// a success or a 4xx, not a timeout, a 5xx or a 429.
    var isDefinitive: Bool
}

/// Resumes a continuation with the first answer given: the response or the timeout.
private final class SingleAnswer<Answer: Sendable>: @unchecked Sendable {
    private let lock = NSLock()
    private var continuation: CheckedContinuation<Answer, Never>?

    init(_ continuation: CheckedContinuation<Answer, Never>) {
        self.continuation = continuation
    }

    /// Whether this answer was the first.
    @discardableResult func give(_ answer: Answer) -> Bool {
        let waiting = lock.withLock {
            defer { continuation = nil }
            return continuation
        }
        waiting?.resume(returning: answer)
        return waiting != nil
    }
}

/// A counting semaphore for tasks: at most `count` holders at once.
private actor RequestSlots {
    private var available: Int
    private var waiting: [CheckedContinuation<Void, Never>] = []

    init(_ count: Int) {
        available = count
    }

    func acquire() async {
        if available > 0 {
            available -= 1
            return
        }
        await withCheckedContinuation { waiting.append($0) }
    }

    func release() {
        if waiting.isEmpty {
            available += 1
        } else {
            waiting.removeFirst().resume()
        }
    }
}
