#!/usr/bin/env bash
# The engine's differential test at length: EDITS random edits (2000 by default) of every
# kind, each followed by an incremental build and a build from scratch that must agree byte
# for byte. The incremental engine is told the paths each edit touched, as `serve`'s watcher
# tells it, so the narrowed listing and stamping are checked too. `cargo test` runs the same
# test with 60 edits.
#
#   scripts/diff-engine.sh [EDITS] [SEED]
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
export STEPBOOK_DIFF_EDITS="${1:-2000}"
export STEPBOOK_DIFF_SEED="${2:-24301}"
cargo test --release --test engine incremental_output_equals_a_clean_build_after_every_edit -- --nocapture
