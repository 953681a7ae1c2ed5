#!/usr/bin/env bash
# The SQL connector's MySQL/MariaDB tests start a real MariaDB server on loopback (test/mariadb.ts):
# Debian's mariadb-server provides /usr/sbin/mariadbd and mariadb-install-db. CI machines may be new,
# so install it when missing (about 30 s).
set -euo pipefail
if [ -x /usr/sbin/mariadbd ] && command -v mariadb-install-db >/dev/null; then exit 0; fi
echo "Installing Debian's mariadb-server for the SQL connector's MySQL tests …"
SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
$SUDO apt-get update -qq
# policy-rc.d keeps the package from starting a system-wide server: the tests start their own on loopback.
if [ ! -e /usr/sbin/policy-rc.d ]; then
  printf '#!/bin/sh\nexit 101\n' | $SUDO tee /usr/sbin/policy-rc.d >/dev/null
  $SUDO chmod +x /usr/sbin/policy-rc.d
  trap '$SUDO rm -f /usr/sbin/policy-rc.d' EXIT
fi
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends mariadb-server >/dev/null
/usr/sbin/mariadbd --version | head -1 || true
test -x /usr/sbin/mariadbd
