#!/usr/bin/env bash
# Checks that Cargo.toml's `rust-version` is true: no locked dependency (normal, dev or
# build, every feature) needs a newer Rust, and the installed toolchain is at least it.
# (Only one toolchain can be installed here, so this reads the lock file's metadata
# instead of building with the old compiler.)
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
cargo metadata --format-version 1 --locked | python3 -c '
import json, re, subprocess, sys
meta = json.load(sys.stdin)
def ver(s): return tuple(int(x) for x in re.findall(r"\d+", s)[:3]) + (0,) * (3 - len(re.findall(r"\d+", s)[:3]))
ours = next(p for p in meta["packages"] if p["id"] in meta["workspace_members"])
declared = ours.get("rust_version")
if not declared:
    sys.exit("Cargo.toml has no rust-version")
used = {n["id"] for n in meta["resolve"]["nodes"]}
needs = sorted((ver(p["rust_version"]), p["name"], p["version"]) for p in meta["packages"]
               if p["id"] in used and p.get("rust_version") and p["id"] != ours["id"])
top = needs[-1]
need = ".".join(map(str, top[0]))
rustc = subprocess.run(["rustc", "--version"], capture_output=True, text=True, check=True).stdout
have = ver(rustc.split()[1])
print(f"rust-version {declared}; the most demanding dependency: {top[1]} {top[2]} needs {need}; installed: {rustc.strip()}")
if ver(declared) < top[0]:
    sys.exit(f"rust-version {declared} is too old: {top[1]} {top[2]} needs {need}")
if have < ver(declared):
    sys.exit(f"the installed toolchain is older than rust-version {declared}")
'
