#!/usr/bin/env bash
# Runs each fuzz target for a set time (default 60 s each), seeded from the bundled guide,
# the reference article and ../shared/corpus, and prints executions and crashes.
#
#   scripts/fuzz.sh [SECONDS]
#
# Needs cargo-fuzz (`cargo install cargo-fuzz`). The toolchain here is stable, so nightly
# flags are allowed with RUSTC_BOOTSTRAP=1.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
secs="${1:-60}"
export RUSTC_BOOTSTRAP=1
for target in markdown frontmatter; do
  corpus="fuzz/corpus/$target"
  mkdir -p "$corpus"
  if [ -z "$(ls -A "$corpus")" ]; then
    i=0
    while IFS= read -r f; do
      head -c 20000 "$f" > "$corpus/seed-$i"
      i=$((i + 1))
    done < <(find content tests/fixtures ../shared/corpus ../shared/seeds -name '*.md' 2>/dev/null | sort | head -400)
  fi
  echo "==> fuzzing $target for ${secs}s"
  log="${TMPDIR:-/tmp}/fuzz-$target.log"
  status=0
  cargo fuzz run "$target" "$corpus" -- -max_total_time="$secs" -max_len=20000 -rss_limit_mb=4096 >"$log" 2>&1 || status=$?
  grep -E "Done [0-9]+ runs|SUMMARY|panicked|crash-" "$log" | tail -5 || true
  if [ "$status" -ne 0 ]; then
    echo "fuzzing $target failed (exit $status); the end of its log:" >&2
    tail -40 "$log" >&2
    exit 1
  fi
done
