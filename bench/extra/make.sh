#!/usr/bin/env bash
# Builds the extra benchmark data (other domains and sizes than ../shared/bench) into .bench/extra, from public
# packages on the npm registry; then:  BENCH_DATA=.bench/extra npm run bench
#   turkish_news, turkish_news_tiny: Turkish newswire NER (PERSON/LOCATION/ORGANIZATION), npm
#   nlptoolkit-namedentityrecognition@1.0.3 (ISC), file package/nerdata.txt; see convert-turkish-news.mjs.
#   slots_synth: synthetic ATIS-style flight queries with 60 slot types (many categories); see synth-slots.mjs.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
shared="${SHARED_BENCH:-$repo/../shared/bench}"
out="$repo/.bench/extra"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
(cd "$work" && npm pack --silent nlptoolkit-namedentityrecognition@1.0.3 >/dev/null && tar xzf nlptoolkit-namedentityrecognition-1.0.3.tgz)
mkdir -p "$out"
(cd "$repo" && node --import tsx "$here/convert-turkish-news.mjs" "$work/package/nerdata.txt" "$out")
(cd "$repo" && node --import tsx "$here/synth-slots.mjs" "$out")
# the benchmark stages the peer and the scorer from the data folder
rm -rf "$out/peer" "$out/tools"
cp -r "$shared/peer" "$shared/tools" "$out/"
chmod -R u+w "$out"
echo "extra benchmark data in $out (run: BENCH_DATA=$out npm run bench)"
