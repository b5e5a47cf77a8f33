#!/usr/bin/env bash
# Run every fuzz target for a fixed budget (not in CI). Needs cargo-fuzz and a nightly
# toolchain: `cargo install cargo-fuzz`. Usage: scripts/fuzz.sh [SECONDS_PER_TARGET] [TARGET...]
# The corpus of each target is seeded from tests/data on every run (fuzz/corpus/<target>;
# new inputs found are kept there). Crashes land in fuzz/artifacts/<target>/: turn each into
# a regression test before fixing it.
#
# The sanitizer is `none` by default (FUZZ_SANITIZER=address to change it): gsl has no
# `unsafe` code, so AddressSanitizer finds nothing the panic hook does not, and the
# targets run about 5x faster without it (~700 against ~3,000-5,000 execs/s here).
set -euo pipefail
cd "$(dirname "$0")/.."
budget="${1:-120}"
shift || true
targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
  targets=(gsl_parser pattern_parser pattern_match pattern_compare snapshot_loader)
fi

seed() {
  local target="$1" dir="fuzz/corpus/$1" n=0
  mkdir -p "$dir"
  case "$target" in
    gsl_parser)
      while IFS= read -r line; do
        [ -n "$line" ] && printf '%s' "$line" >"$dir/seed-$((n++))"
      done < <(cat tests/data/gsl/corpus_valid.txt tests/data/gsl/shapes.txt)
      for f in policies/*/*.gsl; do cp "$f" "$dir/seed-$((n++))"; done
      ;;
    pattern_parser | pattern_compare)
      while IFS= read -r line; do
        [ -n "$line" ] && printf '%s' "$line" >"$dir/seed-$((n++))"
      done <tests/data/pattern/cis.txt
      ;;
    pattern_match)
      while IFS= read -r line; do
        [ -n "$line" ] && { printf '%s\n' "$line"; head -n 5 tests/data/pattern/cloudtrail.jsonl; } >"$dir/seed-$((n++))"
      done <tests/data/pattern/cis.txt
      ;;
    snapshot_loader)
      for f in examples/*.json tests/data/repl/*.json tests/data/collect/*.json; do
        [ -f "$f" ] && cp "$f" "$dir/seed-$((n++))"
      done
      ;;
  esac
}

for t in "${targets[@]}"; do
  # An input slower than 1 s is a finding, except for pattern_compare: it makes two
  # decisions (equality and coverage), each bounded by the engine's budget of work
  # (about 0.1 s in a release build), and the fuzz build is instrumented and several
  # times slower. There 3 s is the sign of a decision the budget does not bound.
  timeout=1
  [ "$t" = pattern_compare ] && timeout=3
  seed "$t"
  echo "== $t (${budget}s)"
  (cd fuzz && cargo +nightly fuzz run -s "${FUZZ_SANITIZER:-none}" "$t" "corpus/$t" -- \
    -max_total_time="$budget" -jobs=1 -timeout="$timeout" -rss_limit_mb=2048 -print_final_stats=1) 2>&1 |
    grep -E 'stat::number_of_executed_units|ERROR|SUMMARY|Done' || true
done
