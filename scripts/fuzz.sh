#!/usr/bin/env bash
# Runs each fuzz target for a set time (default 60 s each), and prints executions and
# crashes. The Markdown and frontmatter targets are seeded from the bundled guide, the test
# fixtures, ../shared/seeds and ../shared/corpus (each only if it exists); the file-name
# target from a few lists of hostile names written here. Exits 1 on a crash, a hang (an input that takes over 10 s) or an
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

# Seeds for `names`: lists of paths separated by NUL bytes (see fuzz/fuzz_targets/names.rs).
seed_names() {
  local corpus="$1"
  printf 'a.md\0g/_index.md\0g/b.md\0g/pic.png' >"$corpus/seed-plain"
  printf 'what?.md\0a#b.md\0100%%.md\0g/a b: c.md' >"$corpus/seed-url"
  printf 'a\nb.md\0tab\there/c.png\0\r.md' >"$corpus/seed-control"
  printf 'Setup.md\0setup.md\0caf\xc3\xa9.md\0cafe\xcc\x81.md' >"$corpus/seed-case"
  printf '\xff\xfe.md\0\xff\xfd.md\0.hidden/x.md\0x~\0index.md\0_index.md' >"$corpus/seed-odd"
  printf 'a.md\0a.html\0index.html\0404.html\0assets/stepbook.js\0search/manifest.js' >"$corpus/seed-claims"
  printf 'ex.md`` ``\xc2\xa0\0a\xe3\x80\x80b.md\0c\xe2\x80\xa8.png' >"$corpus/seed-spaces"
  echo "seeded $corpus with 7 files"
}

for target in markdown frontmatter names; do
  corpus="fuzz/corpus/$target"
  mkdir -p "$corpus"
  max_len=20000
  if [ "$target" = names ]; then
    max_len=2048
    [ -n "$(ls -A "$corpus")" ] || seed_names "$corpus"
  elif [ -z "$(ls -A "$corpus")" ]; then
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
    -max_total_time="$secs" -max_len="$max_len" -timeout=10 -rss_limit_mb=4096 \
    >"$log" 2>&1 || status=$?
  grep -E "Done [0-9]+ runs|SUMMARY|panicked|crash-|timeout-|oom-" "$log" | tail -5 || true
  if [ "$status" -ne 0 ]; then
    echo "fuzzing $target failed (exit $status)" >&2
    # The panic's message comes before libFuzzer's report and the input's dump, which can
    # push it out of the log's last lines.
    if grep -q "panicked" "$log"; then
      echo "the panic:" >&2
      grep -A6 "panicked" "$log" | head -20 >&2
    fi
    echo "the end of its log:" >&2
    tail -40 "$log" >&2
    exit 1
  fi
done
