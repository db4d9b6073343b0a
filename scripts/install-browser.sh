#!/usr/bin/env bash
# Installs Debian's headless Chromium for the browser tests, when it is missing.
# Never fails the run: without Chromium the browser tests are reported as skipped,
# loudly, by tests/test_browser.py.
set -u
if command -v chromium >/dev/null 2>&1 || command -v chromium-browser >/dev/null 2>&1; then
  exit 0
fi
if ! command -v apt-get >/dev/null 2>&1; then
  echo "install-browser: no apt-get here; browser tests will be SKIPPED" >&2
  exit 0
fi
SUDO=""
if [ "$(id -u)" != "0" ]; then
  if command -v sudo >/dev/null 2>&1; then SUDO="sudo -n"; else
    echo "install-browser: not root and no sudo; browser tests will be SKIPPED" >&2
    exit 0
  fi
fi
echo "install-browser: installing Debian chromium (one time)..." >&2
export DEBIAN_FRONTEND=noninteractive
if ! { $SUDO apt-get update -qq && $SUDO apt-get install -y -qq --no-install-recommends chromium fonts-dejavu-core >/dev/null; }; then
  echo "install-browser: apt-get install chromium FAILED; browser tests will be SKIPPED" >&2
fi
exit 0
