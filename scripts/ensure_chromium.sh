#!/usr/bin/env bash
# Make sure Debian's headless browser for the web panel's tests is installed: `chromium` and
# `chromium-driver` (the system /usr/bin/chromedriver that Selenium is pointed at; Selenium
# never downloads a driver or a browser of its own). Quiet and instant when both are present.
# Installs them with apt-get when running as root (CI, a fresh machine); otherwise says how, and
# the browser tests skip with that reason.
set -euo pipefail
if [[ -x /usr/bin/chromium && -x /usr/bin/chromedriver ]]; then
    exit 0
fi
if [[ $(id -u) -eq 0 ]] && command -v apt-get >/dev/null; then
    echo "installing chromium and chromium-driver for the browser tests (apt-get)" >&2
    export DEBIAN_FRONTEND=noninteractive
    # Offline, or dpkg busy: say so and go on; the browser tests then skip (make test runs on).
    if ! { apt-get update -qq >/dev/null &&
        apt-get install -y -qq --no-install-recommends chromium chromium-driver >/dev/null; }; then
        echo "warning: could not install chromium and chromium-driver with apt-get;" \
            "the web panel's browser tests are skipped" >&2
    fi
else
    echo "note: the web panel's browser tests need Debian's chromium and chromium-driver" \
        "(sudo apt-get install chromium chromium-driver); they are skipped without them" >&2
fi
