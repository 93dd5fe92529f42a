#!/usr/bin/env bash
# Install everything the tests need, then run the whole suite.
# This is the README's test command; .ci/run calls it.
#   bash tests/run.sh            # all checks
#   bash tests/run.sh -k store   # extra arguments go to pytest
set -euo pipefail
cd "$(dirname "$0")/.."

VENV="${RIGHTSGRAPH_VENV:-.venv}"
PYTHON="${PYTHON:-python3}"

# Debian packages the tests drive for real, installed only where absent.
need_deb() {  # need_deb COMMAND PACKAGE...
  command -v "$1" >/dev/null 2>&1 && return 0
  shift
  local sudo=""
  [ "$(id -u)" = 0 ] || sudo="sudo"
  if [ -z "${_APT_UPDATED:-}" ]; then
    $sudo apt-get update -qq
    _APT_UPDATED=1
  fi
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "$@"
}
# (still to come: chromium, raptor2-utils and virtuoso-opensource come with the web UI,
#  export and remote-store suites)
need_deb curl curl  # the SPARQL endpoint's client tests drive curl
need_deb chromium chromium  # browser tests: Playwright drives Debian's Chromium (never `playwright install`)
need_deb rapper raptor2-utils  # export tests: every export must parse with Raptor's rapper
need_deb virtuoso-t virtuoso-opensource  # remote-store tests start their own Virtuoso 7

if [ ! -x "$VENV/bin/python" ]; then
  "$PYTHON" -m venv "$VENV"
fi
"$VENV/bin/python" -m pip install -q --disable-pip-version-check --upgrade pip
# A regular (non-editable) install: the suite runs against the installed
# package, so missing package data fails here rather than for users.
"$VENV/bin/python" -m pip install -q --disable-pip-version-check --force-reinstall --no-deps .
"$VENV/bin/python" -m pip install -q --disable-pip-version-check ".[test]"

export PATH="$PWD/$VENV/bin:$PATH"
export RIGHTSGRAPH_EXPECT_INSTALLED=1

echo "== ruff"
"$VENV/bin/ruff" check graph loaders webui ontology tests benchmarks
echo "== mypy"
# mypy checks the sources under their import names through a tree of links.
mkdir -p build/typecheck/rightsgraph
for part in graph loaders webui ontology; do
  ln -sfn "$PWD/$part" "build/typecheck/rightsgraph/$part"
done
MYPYPATH=build/typecheck "$VENV/bin/mypy" -p rightsgraph.graph -p rightsgraph.loaders \
  -p rightsgraph.webui -p rightsgraph.ontology
echo "== pytest"
"$VENV/bin/python" -m pytest "$@"
