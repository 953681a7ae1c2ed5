#!/usr/bin/env bash
# The SFTP connector tests start a real OpenSSH server on loopback: Debian's openssh-server provides
# /usr/sbin/sshd (and the internal-sftp subsystem). CI machines may be new, so install it when missing.
set -euo pipefail
if [ -x /usr/sbin/sshd ]; then exit 0; fi
echo "Installing Debian's openssh-server for the SFTP connector tests …"
"$(dirname "$0")/apt-install.sh" openssh-server
/usr/sbin/sshd -V 2>&1 | head -1 || true
test -x /usr/sbin/sshd
