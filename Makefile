# Bridgehead: `make site` builds the portal into public/, `make test` runs the tests.
SWIFT ?= swift
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
CMARK_PACKAGES := libcmark-gfm-dev libcmark-gfm-extensions-dev pkg-config
RELEASE_BIN := .build/release/bridgehead

.PHONY: site test deps bridgehead format lint bench-liquid

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

# Liquid render benchmark against python-liquid 2.3.6, measured in the same run.
bench-liquid:
	bench/liquid/run.sh 10000
