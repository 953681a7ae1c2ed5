#!/usr/bin/env bash
# Every test: type check, unit + database (vitest on the embedded Postgres), end-to-end (Playwright
# on Debian's Chromium against the built app). Runs every stage, then exits non-zero if any failed.
set -uo pipefail
cd "$(dirname "$0")/.."
export NEXT_TELEMETRY_DISABLED=1
mkdir -p .reports
rm -f .reports/*.json
failed=()

stage() {
  local name=$1; shift
  echo
  echo "━━━ $name ━━━"
  if ! "$@"; then failed+=("$name"); fi
}

stage "install chromium" test/ensure-chromium.sh
stage "install sshd" test/ensure-sftp.sh
stage "install mariadb" test/ensure-mariadb.sh
stage "type check" npx tsc --noEmit -p .
stage "unit and database tests" npx vitest run --reporter=default --reporter=json --outputFile.json=.reports/vitest.json
stage "build" npx next build
stage "end-to-end tests" npx playwright test

stage "test reports" node test/summary.mjs
if [ ${#failed[@]} -gt 0 ]; then
  echo "Failed stages: ${failed[*]}"
  exit 1
fi
