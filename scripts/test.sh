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

# The deployers gsl fix's plans are proved with (tests/it/fix_moto.rs), pinned, each in its own
# venv beside the moto one: the AWS CLI and python-hcl2 (awscli 1.x pins botocore), and checkov.
install_venv() { # VAR DEFAULT REQUIREMENTS EXECUTABLE
  local dir="${!1:-$2}" req="$3"
  if [ ! -x "$dir/bin/$4" ] || ! cmp -s "$req" "$dir/.gsl-requirements"; then
    echo "== installing $(grep -v '^#' "$req" | tr '\n' ' ')into $dir"
    python3 -m venv "$dir"
    "$dir/bin/python" -m pip install --quiet --disable-pip-version-check -r "$req"
    cp "$req" "$dir/.gsl-requirements"
  fi
  export "$1=$dir"
}
install_venv GSL_FIX_TOOLS_VENV "$root/.venv-fix-tools" "$root/tests/it/support/fix-tools-requirements.txt" aws
install_venv GSL_CHECKOV_VENV "$root/.venv-checkov" "$root/tests/it/support/checkov-requirements.txt" checkov

# Microsoft's SARIF validator (the SARIF report test runs it), from the npm registry,
# pinned, into .tools (GSL_TOOLS) beside the venv.
tools="${GSL_TOOLS:-$root/.tools}"
multitool="$tools/node_modules/@microsoft/sarif-multitool-linux/Sarif.Multitool"
if [ ! -x "$multitool" ] && command -v npm >/dev/null; then
  echo "== installing @microsoft/sarif-multitool into $tools"
  npm install --silent --no-audit --no-fund --prefix "$tools" @microsoft/sarif-multitool@5.7.0
  chmod u+x "$multitool" # its postinstall step, which npm may skip
fi
export GSL_SARIF_MULTITOOL="$multitool"

echo "== cargo test (library, binary, the integration tests in tests/it, doctests; benches are not built)"
cargo test "$@"
