#!/usr/bin/env bash
# Playwright drives Debian's Chromium: a test tool's own browser download cannot work on these machines.
set -euo pipefail
if [ -x /usr/bin/chromium ]; then exit 0; fi
echo "Installing Debian's chromium for the end-to-end tests …"
"$(dirname "$0")/apt-install.sh" chromium fonts-liberation
/usr/bin/chromium --version
