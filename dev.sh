#!/usr/bin/env bash
# The project's one entry point: `./dev.sh demo` (the main job) and `./dev.sh test`.
# Both set everything up from package registries first: a virtualenv with armjit and its
# dependencies (PyPI), the oracle/cross tools (Debian), and the aarch64 target (qemu-user +
# Debian arm64 + CPython 3.14 + CinderX), all cached, so a second run only re-checks.
set -euo pipefail
cd "$(dirname "$0")"

PY=${PYTHON:-python3}
VENV=${ARMJIT_VENV:-.venv}

need_root() {
  if [ "$(id -u)" != 0 ]; then
    echo "dev.sh: '$1' is missing and installing it needs root (apt-get install $2)" >&2
    exit 2
  fi
}

setup_host() {
  # Debian tools: GNU as/objdump for aarch64 (an independent encoding oracle).
  if ! command -v aarch64-linux-gnu-as >/dev/null; then
    need_root aarch64-linux-gnu-as binutils-aarch64-linux-gnu
    echo "dev.sh: installing binutils-aarch64-linux-gnu" >&2
    apt-get update -qq >/dev/null
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq binutils-aarch64-linux-gnu >/dev/null
  fi
  if [ ! -x "$VENV/bin/python" ]; then
    "$PY" -m venv "$VENV"
  fi
  local stamp="$VENV/.armjit-installed"
  local want
  want=$(cat pyproject.toml setup.py | sha256sum | cut -c1-16)
  if [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
    echo "dev.sh: installing armjit and its dependencies into $VENV" >&2
    "$VENV/bin/python" -m pip install -q --disable-pip-version-check -e '.[test]'
    echo "$want" > "$stamp"
  fi
}

setup_target() {
  "$VENV/bin/python" -m armjit.target setup
}

case "${1:-}" in
  demo)
    setup_host
    setup_target
    exec "$VENV/bin/python" -m armjit.demo
    ;;
  test)
    shift
    setup_host
    setup_target
    # -n 2: the machine has two cores.  Target-tier (qemu) tests are marked `target` and run too.
    exec "$VENV/bin/python" -m pytest -q -n 2 -p no:cacheprovider "$@"
    ;;
  *)
    echo "usage: ./dev.sh demo | ./dev.sh test [pytest args]" >&2
    exit 2
    ;;
esac
