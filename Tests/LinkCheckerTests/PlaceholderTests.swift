import LinkChecker
import Testing

@Test func placeholderLinkCheckerLoads() {}
