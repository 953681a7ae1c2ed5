#!/usr/bin/env bash
# The SQL connector's MySQL/MariaDB tests start a real MariaDB server on loopback (test/mariadb.ts):
# Debian's mariadb-server provides /usr/sbin/mariadbd and mariadb-install-db. CI machines may be new,
# so install it when missing (about 30 s).
set -euo pipefail
if [ -x /usr/sbin/mariadbd ] && command -v mariadb-install-db >/dev/null; then exit 0; fi
echo "Installing Debian's mariadb-server for the SQL connector's MySQL tests …"
"$(dirname "$0")/apt-install.sh" mariadb-server
/usr/sbin/mariadbd --version | head -1 || true
test -x /usr/sbin/mariadbd
