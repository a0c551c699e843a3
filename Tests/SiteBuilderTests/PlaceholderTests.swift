import SiteBuilder
import Testing

@Test func placeholderSiteBuilderLoads() {}
