#!/usr/bin/env bash
# Copy FullCalendar's browser builds (MIT core: core, daygrid, timegrid, list, interaction) from their npm
# packages into app/ui/static/fullcalendar/, so Termine and Ressourcen work offline. Needs npm and the registry.
set -euo pipefail
cd "$(dirname "$0")/.."
version=${FULLCALENDAR_VERSION:-6.1.21}
dest=app/ui/static/fullcalendar
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
plugins=(core daygrid timegrid list interaction)
(cd "$work" && for p in "${plugins[@]}"; do npm pack --silent "@fullcalendar/$p@$version" >/dev/null; done)
mkdir -p "$dest"
for p in "${plugins[@]}"; do
  tgz="$work/fullcalendar-$p-$version.tgz"
  mkdir -p "$work/$p" && tar xzf "$tgz" -C "$work/$p"
  cp "$work/$p/package/index.global.min.js" "$dest/$p.global.min.js"
done
cp "$work/core/package/locales-all.global.min.js" "$dest/locales-all.global.min.js"
cp "$work/core/package/LICENSE.md" "$dest/LICENSE.md" 2>/dev/null || cp "$work/core/package/LICENSE.txt" "$dest/LICENSE.txt"
echo "$version" > "$dest/VERSION"
echo "FullCalendar $version refreshed in $dest"
