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

summary=()
for t in "${targets[@]}"; do
  # An input slower than 1 s is a finding, except for pattern_compare: it makes two
  # decisions (equality and coverage), each bounded by the engine's budget of work
  # (about 0.1 s in a release build), and the fuzz build is instrumented and several
  # times slower. There 3 s is the sign of a decision the budget does not bound.
  # pattern_compare's inputs are also kept short (-max_len, and the target ignores
  # longer ones): long inputs spend the whole budget on every run (about 25 execs/s).
  timeout=1
  max_len=4096
  if [ "$t" = pattern_compare ]; then
    timeout=3
    max_len=256
  fi
  seed "$t"
  echo "== $t (${budget}s, inputs up to $max_len bytes)"
  log="$(mktemp)"
  (cd fuzz && cargo +nightly fuzz run -s "${FUZZ_SANITIZER:-none}" "$t" "corpus/$t" -- \
    -max_total_time="$budget" -max_len="$max_len" -jobs=1 -timeout="$timeout" -rss_limit_mb=2048 \
    -print_final_stats=1) >"$log" 2>&1 || true
  grep -E 'stat::number_of_executed_units|ERROR|SUMMARY|Done' "$log" || true
  execs=$(awk -F: '/stat::number_of_executed_units/ { gsub(/ /, "", $NF); print $NF }' "$log" | tail -n 1)
  rm -f "$log"
  # Executions per target: a target far below the others is not exploring.
  if [ -n "$execs" ]; then
    summary+=("$(awk -v t="$t" -v n="$execs" -v s="$budget" 'BEGIN { printf "%-16s %12d %10.0f", t, n, n / s }')")
  else
    summary+=("$(printf '%-16s %12s %10s' "$t" "-" "-") (did not run: see above)")
  fi
done
echo "== executions per target (${budget}s each)"
printf '%-16s %12s %10s\n' target execs execs_per_s
printf '%s\n' "${summary[@]}"
