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

# PostgreSQL's server programs, for the findings-store tests on PostgreSQL (tests/it/store.rs
# starts a throwaway cluster of its own): GSL_PG_BIN, else PATH, else Debian's
# /usr/lib/postgresql/<N>/bin; Debian's `postgresql` package is installed when none is found.
pg_bin_of() { # prints the directory that has initdb, postgres and pg_ctl
  local d
  for d in "${GSL_PG_BIN:-}" "$(dirname "$(command -v initdb 2>/dev/null || echo /nonexistent/x)")" \
    $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V -r); do
    if [ -n "$d" ] && [ -x "$d/initdb" ] && [ -x "$d/postgres" ] && [ -x "$d/pg_ctl" ]; then
      echo "$d"
      return
    fi
  done
}
if [ -z "$(pg_bin_of)" ] && command -v apt-get >/dev/null; then
  echo "== installing Debian's postgresql package (the PostgreSQL store tests), without a default cluster"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends postgresql-common >/dev/null
  # No `main` cluster (and so no server left running): the tests start their own.
  sed -ri 's/^#?[[:space:]]*create_main_cluster[[:space:]]*=.*/create_main_cluster = false/' \
    /etc/postgresql-common/createcluster.conf
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends postgresql >/dev/null
fi
if [ -n "$(pg_bin_of)" ]; then
  GSL_PG_BIN="$(pg_bin_of)"
  export GSL_PG_BIN
fi # else the PostgreSQL store tests fail, saying what to install
# The PostgreSQL TLS tests make their CA and server certificate with the openssl command
# (Debian's postgresql brings it, through ssl-cert); without it they fail, saying so.
if ! command -v openssl >/dev/null && command -v apt-get >/dev/null; then
  echo "== installing Debian's openssl package (the PostgreSQL TLS tests' certificates)"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends openssl >/dev/null
fi

echo "== cargo test (library, binary, the integration tests in tests/it, doctests; benches are not built)"
cargo test "$@"
