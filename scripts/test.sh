#!/usr/bin/env bash
# Runs every test of gsl, including the collector tests against a real AWS-protocol
# server (moto_server), which it installs first into a Python venv (.venv) if needed.
#
#   ./scripts/test.sh              # everything
#   ./scripts/test.sh --test it conformance  # extra arguments go to `cargo test`
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

venv="${GSL_VENV:-$root/.venv}"
requirements="$root/tests/it/support/requirements.txt"
stamp="$venv/.gsl-requirements"
if [ ! -x "$venv/bin/moto_server" ] || ! cmp -s "$requirements" "$stamp"; then
  echo "== installing the moto harness's pinned requirements into $venv"
  python3 -m venv "$venv"
  "$venv/bin/python" -m pip install --quiet --disable-pip-version-check -r "$requirements"
  cp "$requirements" "$stamp"
fi
export GSL_MOTO_SERVER="$venv/bin/moto_server"
export GSL_PYTHON="$venv/bin/python"

echo "== cargo test (library, binary, the integration tests in tests/it, doctests; benches are not built)"
cargo test "$@"
