#!/usr/bin/env bash
# Runs every test of gsl, including the collector tests against a real AWS-protocol
# server (moto_server), which it installs first into a Python venv (.venv) if needed.
#
#   ./scripts/test.sh              # everything
#   ./scripts/test.sh --test eval  # extra arguments go to `cargo test`
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

venv="${GSL_VENV:-$root/.venv}"
moto_spec='moto[server]==5.2.5'
cbor_spec='cbor2==5.7.1'
if ! "$venv/bin/python" -c 'import moto, cbor2' >/dev/null 2>&1 || [ ! -x "$venv/bin/moto_server" ]; then
  echo "== installing $moto_spec and $cbor_spec into $venv"
  python3 -m venv "$venv"
  "$venv/bin/python" -m pip install --quiet --disable-pip-version-check "$moto_spec" "$cbor_spec"
fi
export GSL_MOTO_SERVER="$venv/bin/moto_server"
export GSL_PYTHON="$venv/bin/python"

echo "== cargo test (library, binary, the integration tests in tests/it, doctests; benches are not built)"
cargo test "$@"
