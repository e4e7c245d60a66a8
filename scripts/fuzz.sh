#!/usr/bin/env bash
# Runs each fuzz target for a set time (default 60 s each), seeded from the bundled guide,
# the test fixtures, ../shared/seeds and ../shared/corpus (each only if it exists), and prints
# executions and crashes. Exits 1 on a crash, a hang (an input that takes over 10 s) or an
# input that needs over 4 GB; the failing input is in fuzz/artifacts/<target>/.
#
#   scripts/fuzz.sh [SECONDS]
#
# FUZZ_SANITIZER=none builds without AddressSanitizer: about 4x the executions and a quicker
# build (CI uses it; the code under test is safe Rust). Debug assertions stay on either way.
#
# Needs cargo-fuzz (`cargo install cargo-fuzz --locked`). The toolchain here is stable, so
# nightly flags are allowed with RUSTC_BOOTSTRAP=1.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
secs="${1:-60}"
sanitizer="${FUZZ_SANITIZER:-address}"
export RUSTC_BOOTSTRAP=1
# At most this many seeds: every file of the guide, the fixtures and the seeds, then files
# spread evenly over the shared corpus.
max_seeds=400

seed_files() {
  find content tests/fixtures ../shared/seeds -name '*.md' 2>/dev/null | sort || true
  local shared
  shared="$(find ../shared/corpus -name '*.md' 2>/dev/null | sort || true)"
  if [ -n "$shared" ]; then
    local count step
    count="$(printf '%s\n' "$shared" | wc -l)"
    step=$(((count + max_seeds - 1) / max_seeds))
    printf '%s\n' "$shared" | awk -v step="$step" 'NR % step == 0'
  fi
}

echo "==> building the fuzz targets (sanitizer: $sanitizer)"
log="${TMPDIR:-/tmp}/fuzz-build.log"
if ! cargo fuzz build -s "$sanitizer" >"$log" 2>&1; then
  echo "building the fuzz targets failed:" >&2
  tail -40 "$log" >&2
  exit 1
fi

for target in markdown frontmatter; do
  corpus="fuzz/corpus/$target"
  mkdir -p "$corpus"
  if [ -z "$(ls -A "$corpus")" ]; then
    i=0
    while IFS= read -r f; do
      head -c 20000 "$f" >"$corpus/seed-$i"
      i=$((i + 1))
    done < <(seed_files | head -n "$max_seeds")
    echo "seeded $corpus with $i files"
  fi
  echo "==> fuzzing $target for ${secs}s"
  log="${TMPDIR:-/tmp}/fuzz-$target.log"
  status=0
  # -timeout: an input that takes over 10 s is a hang, and fails the run. The outer timeout
  # only guards against libFuzzer itself not stopping.
  timeout --kill-after=10s "$((secs + 120))" \
    cargo fuzz run -s "$sanitizer" "$target" "$corpus" -- \
    -max_total_time="$secs" -max_len=20000 -timeout=10 -rss_limit_mb=4096 \
    >"$log" 2>&1 || status=$?
  grep -E "Done [0-9]+ runs|SUMMARY|panicked|crash-|timeout-|oom-" "$log" | tail -5 || true
  if [ "$status" -ne 0 ]; then
    echo "fuzzing $target failed (exit $status); the end of its log:" >&2
    tail -40 "$log" >&2
    exit 1
  fi
done
