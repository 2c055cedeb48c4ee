#!/usr/bin/env bash
# Vendor the front-end assets from the npm registry into static/vendor/ (no CDN is ever used).
#
#   bash scripts/vendor-assets.sh           fetch the pinned packages and rewrite static/vendor/
#   bash scripts/vendor-assets.sh --check   fetch them and fail if static/vendor/ differs
#
# Each package is fetched with `npm pack` at a pinned version. The tarball must match both the
# integrity npm reports for it and the integrity recorded below (so a re-published or tampered
# tarball is refused), then only the files the pages use are copied, with the package's licence
# files, and static/vendor/README.md is rewritten to list them. Run it again after changing a
# version here (and record the new integrity, which the script prints when it does not match).
set -euo pipefail

cd "$(dirname "$0")/.."
DEST=static/vendor
CHECK=0
[ "${1:-}" = "--check" ] && CHECK=1

# name|version|licence|integrity (sha512, as `npm view NAME@VERSION dist.integrity` prints it)
PACKAGES=(
  "bootstrap|5.3.9|MIT|sha512-20cU0rcfw8WdxtVbmfU+xT2EjvVTw9Ror/h1Qvd7DXCujRg8OO9mdBCsmTHdJFf3BuadmBNJtgIuUXsBqSkk/w=="
  "bootstrap-icons|1.13.2|MIT|sha512-fAU1Ly3dH7hwRg+CB8EZ0Vl0fF80zgXHeUVJyfUOKzoURr+TbwISbCW5tKUoQLERaWYG2emTCybcPbD96hdD1A=="
  "htmx.org|2.0.11|0BSD|sha512-Thx/WtpeOQqSrqBCw/A1cwGJGg4UrVa3+sW0GmrM3p4gJgO89ecH4qtbnyzDDWFvBTqjnIMCgELTNt636dtamA=="
  "echarts|5.6.0|Apache-2.0|sha512-oTbVTsXfKuEhxftHqL5xprgLoc0k7uScAwtryCgWF6hPYFLRwOUHiFmHGCBKP5NPFNkDVopOieyUqYGH8Fa3kA=="
)

# The files each package contributes: "source path in the package -> path under static/vendor/<dir>/".
# Source maps are kept because the minified files reference them (collectstatic's manifest
# storage refuses a reference to a missing file) and so that the vendored files stay byte-identical
# to the published ones.
files_of() {
  case "$1" in
    bootstrap) printf '%s\n' \
      "dist/css/bootstrap.min.css css/bootstrap.min.css" \
      "dist/css/bootstrap.min.css.map css/bootstrap.min.css.map" \
      "dist/js/bootstrap.bundle.min.js js/bootstrap.bundle.min.js" \
      "dist/js/bootstrap.bundle.min.js.map js/bootstrap.bundle.min.js.map" \
      "LICENSE LICENSE" ;;
    bootstrap-icons) printf '%s\n' \
      "font/bootstrap-icons.min.css bootstrap-icons.min.css" \
      "font/fonts/bootstrap-icons.woff2 fonts/bootstrap-icons.woff2" \
      "font/fonts/bootstrap-icons.woff fonts/bootstrap-icons.woff" \
      "LICENSE LICENSE" ;;
    htmx.org) printf '%s\n' \
      "dist/htmx.min.js htmx.min.js" \
      "LICENSE LICENSE" ;;
    echarts) printf '%s\n' \
      "dist/echarts.min.js echarts.min.js" \
      "LICENSE LICENSE" \
      "NOTICE NOTICE" \
      "licenses/LICENSE-d3 LICENSE-d3" ;;
    *) echo "no file list for $1" >&2; return 1 ;;
  esac
}

dir_of() {
  case "$1" in
    htmx.org) echo htmx ;;
    *) echo "$1" ;;
  esac
}

command -v npm >/dev/null || { echo "npm is needed (apt-get install npm)" >&2; exit 1; }

WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
OUT="$WORK/vendor"
mkdir -p "$OUT"

readme="$WORK/README.md"
{
  echo "# Vendored front-end assets"
  echo
  echo "Written by \`scripts/vendor-assets.sh\` from the npm registry (\`npm pack\`, integrity checked);"
  echo "do not edit by hand: change the pinned version in the script and run it again."
  echo "Pages load these files through \`{% static %}\`; no page uses a CDN."
  echo
  echo "| package | version | licence | integrity | files |"
  echo "|---|---|---|---|---|"
} >"$readme"

for entry in "${PACKAGES[@]}"; do
  IFS='|' read -r name version licence pinned <<<"$entry"
  echo "fetching ${name}@${version}"
  (cd "$WORK" && npm pack --json --silent "${name}@${version}") >"$WORK/pack.json"
  field() { node -e 'const d=JSON.parse(require("fs").readFileSync(process.argv[1]));process.stdout.write(d[0][process.argv[2]])' "$WORK/pack.json" "$1"; }
  tarball=$(field filename)
  reported=$(field integrity)
  actual="sha512-$(openssl dgst -sha512 -binary "$WORK/$tarball" | base64 -w0)"
  if [ "$actual" != "$reported" ]; then
    echo "${name}@${version}: the tarball's sha512 ($actual) is not the one npm reports ($reported)" >&2
    exit 1
  fi
  if [ "$actual" != "$pinned" ]; then
    echo "${name}@${version}: integrity $actual differs from the one pinned in this script ($pinned)" >&2
    exit 1
  fi
  unpacked="$WORK/unpacked-$name"
  mkdir -p "$unpacked"
  tar -xzf "$WORK/$tarball" -C "$unpacked"
  target="$OUT/$(dir_of "$name")"
  listed=()
  while read -r source destination; do
    mkdir -p "$(dirname "$target/$destination")"
    cp "$unpacked/package/$source" "$target/$destination"
    listed+=("\`$destination\`")
  done < <(files_of "$name")
  joined=$(IFS=,; echo "${listed[*]}" | sed 's/,/, /g')
  echo "| $name | $version | $licence | \`${pinned}\` | \`$(dir_of "$name")/\`: $joined |" >>"$readme"
done
cp "$readme" "$OUT/README.md"

if [ "$CHECK" -eq 1 ]; then
  if diff -r "$OUT" "$DEST" >/dev/null; then
    echo "static/vendor/ matches the pinned packages"
    exit 0
  fi
  diff -rq "$OUT" "$DEST" >&2 || true
  echo "static/vendor/ differs from the pinned packages: run bash scripts/vendor-assets.sh" >&2
  exit 1
fi
rm -rf "$DEST"
mkdir -p "$(dirname "$DEST")"
cp -r "$OUT" "$DEST"
echo "static/vendor/ written:"
(cd "$DEST" && find . -type f | sort | sed 's/^\.\//  /')
