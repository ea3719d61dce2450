#!/usr/bin/env bash
# Copy axe-core's browser build (MPL-2.0) from its npm package into tests/ui/vendor/, so the accessibility
# browser tests (tests/ui/test_accessibility_ui.py) run offline. Needs npm and the registry.
set -euo pipefail
cd "$(dirname "$0")/.."
version=${AXE_CORE_VERSION:-4.14.1}
dest=tests/ui/vendor
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
(cd "$work" && npm pack --silent "axe-core@$version" >/dev/null && tar xzf "axe-core-$version.tgz")
mkdir -p "$dest"
cp "$work/package/axe.min.js" "$dest/axe.min.js"
cp "$work/package/LICENSE" "$dest/axe-core.LICENSE"
echo "$version" > "$dest/axe-core.VERSION"
echo "axe-core $version refreshed in $dest"
