#!/usr/bin/env bash
# Peak memory and time of `gsl check` over synthetic organizations.
#
#   ./scripts/rss.sh                    # 10, 100 and 1000 accounts, the CIS pack
#   ./scripts/rss.sh 10 100             # other sizes
#   POLICIES=policies/cloudguard ./scripts/rss.sh 1000
#   SHAPES=nested FORMATS="text json" ./scripts/rss.sh 1000
#   GSL=/path/to/other/gsl ./scripts/rss.sh 100   # compare another build (a baseline)
#
# Generates each organization once per shape (examples/gen_org.rs, seed $SEED, cached
# in $ORG_DIR): `flat` as `gsl collect` writes it, `nested` as CloudGuard exports it
# (metric filters only under their trails, two trails per account). Runs
# `gsl check $POLICIES --snapshot FILE -f FORMAT` under `/usr/bin/time -v` for each
# shape and format ($SHAPES, default both; $FORMATS, default json), and prints, per
# size: the file size, the peak RSS, their ratio (target for 1000 accounts: <= 2.0 in
# both shapes), wall time and time per account (target: flat within +-25% from 10 to
# 1000 accounts). Release builds, no AWS SDK.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

sizes=("$@")
[ ${#sizes[@]} -eq 0 ] && sizes=(10 100 1000)
SEED="${SEED:-7}"
POLICIES="${POLICIES:-policies/cis-aws@5.0.0}"
read -r -a shapes <<<"${SHAPES:-flat nested}"
read -r -a formats <<<"${FORMATS:-json}"
ORG_DIR="${ORG_DIR:-${TMPDIR:-/tmp}/gsl-orgs}"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$root/target}"

if [ ! -x /usr/bin/time ]; then
  echo "rss.sh: /usr/bin/time is missing (Debian/Ubuntu: apt-get install -y time)" >&2
  exit 2
fi

cargo build --quiet --release --no-default-features --features cli --bin gsl --example gen_org
gen="$CARGO_TARGET_DIR/release/examples/gen_org"
gsl="${GSL:-$CARGO_TARGET_DIR/release/gsl}"
mkdir -p "$ORG_DIR"

printf '%-7s %-6s %-9s %10s %10s %7s %9s %12s\n' shape format accounts file_MB peak_MB ratio wall_s s_per_acct
for shape in "${shapes[@]}"; do
for format in "${formats[@]}"; do
for n in "${sizes[@]}"; do
  org="$ORG_DIR/org-$n-seed$SEED-$shape.json"
  [ -s "$org" ] || "$gen" --accounts "$n" --seed "$SEED" --shape "$shape" --out "$org"
  log="$(mktemp)"
  # Exit status 1 means "some policy failed", which a generated org always has.
  set +e
  /usr/bin/time -v "$gsl" check "$POLICIES" --snapshot "$org" -f "$format" >/dev/null 2>"$log"
  status=$?
  set -e
  if [ "$status" -gt 1 ]; then
    echo "rss.sh: gsl check exited with $status on $org:" >&2
    cat "$log" >&2
    exit 1
  fi
  bytes=$(stat -c %s "$org")
  peak_kb=$(awk -F': ' '/Maximum resident set size/ {print $2}' "$log")
  wall=$(awk -F': ' '/Elapsed \(wall clock\) time/ {print $2}' "$log")
  rm -f "$log"
  # h:mm:ss or m:ss.ss -> seconds
  secs=$(echo "$wall" | awk -F: '{ s = 0; for (i = 1; i <= NF; i++) s = s * 60 + $i; print s }')
  awk -v sh="$shape" -v f="$format" -v n="$n" -v b="$bytes" -v k="$peak_kb" -v s="$secs" 'BEGIN {
    printf "%-7s %-6s %-9d %10.1f %10.1f %7.2f %9.2f %12.4f\n", sh, f, n, b / 1048576, k / 1024, (k * 1024) / b, s, s / n
  }'
done
done
done
