#!/bin/sh
# The Debian packages the course's tests need beyond Python: bubblewrap (the grading sandbox),
# chromium (the browser tests; never a browser download), libjs-mathjax (maths in a learner's
# report and on the hub without a network), npm (the hub's proxy) and python3-venv (the hub's
# shared environment). Run by `make system` and so by `make test`. As root with apt-get, it
# installs what is missing; elsewhere it says, one line each, what is missing and how to install
# it, and the tests that need it are skipped.
set -eu
missing=""
for pair in bwrap:bubblewrap chromium:chromium /usr/share/javascript/mathjax/MathJax.js:libjs-mathjax npm:npm; do
  tool="${pair%%:*}"
  case "$tool" in
    /*) [ -e "$tool" ] || missing="$missing ${pair##*:}" ;;
    *) command -v "$tool" >/dev/null 2>&1 || missing="$missing ${pair##*:}" ;;
  esac
done
# the hub's shared environment is a venv made from the system's Python (hub/hubctl.py)
if [ -x /usr/bin/python3 ] && ! /usr/bin/python3 -c "import ensurepip" >/dev/null 2>&1; then
  missing="$missing python3-venv"
fi
[ -z "$missing" ] && exit 0
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
  echo "installing from Debian:$missing"
  apt-get update -qq
  # shellcheck disable=SC2086
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $missing >/dev/null
else
  for package in $missing; do
    echo "not installed: $package (its tests will be skipped); to install: sudo apt-get install $package"
  done
fi
