#!/usr/bin/env bash
# Copy vis-timeline's standalone browser build (UMD, moment and its locales bundled; dual MIT / Apache-2.0)
# and its stylesheet from the npm package into app/ui/static/vis-timeline/, so the room timelines of Vorschau
# and Ressourcen work offline. Needs npm and the registry.
set -euo pipefail
cd "$(dirname "$0")/.."
version=${VIS_TIMELINE_VERSION:-8.5.4}
dest=app/ui/static/vis-timeline
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
(cd "$work" && npm pack --silent "vis-timeline@$version" >/dev/null && tar xzf "vis-timeline-$version.tgz")
mkdir -p "$dest"
# The source maps are not shipped: drop the comments that point at them (no 404 in the browser console).
sed '/sourceMappingURL=/d' "$work/package/standalone/umd/vis-timeline-graph2d.min.js" >"$dest/vis-timeline-graph2d.min.js"
sed 's#/\*\# sourceMappingURL=[^*]*\*/##' "$work/package/styles/vis-timeline-graph2d.min.css" >"$dest/vis-timeline-graph2d.min.css"
cp "$work/package/LICENSE.MIT.txt" "$work/package/LICENSE.Apache-2.0.txt" "$dest/"
echo "$version" >"$dest/VERSION"
echo "vis-timeline $version refreshed in $dest"
