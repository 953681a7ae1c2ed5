#!/usr/bin/env bash
# The SFTP connector tests start a real OpenSSH server on loopback: Debian's openssh-server provides
# /usr/sbin/sshd (and the internal-sftp subsystem). CI machines may be new, so install it when missing.
set -euo pipefail
if [ -x /usr/sbin/sshd ]; then exit 0; fi
echo "Installing Debian's openssh-server for the SFTP connector tests …"
SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
$SUDO apt-get update -qq
# policy-rc.d keeps the package from starting a system-wide sshd: the tests start their own on loopback.
if [ ! -e /usr/sbin/policy-rc.d ]; then
  printf '#!/bin/sh\nexit 101\n' | $SUDO tee /usr/sbin/policy-rc.d >/dev/null
  $SUDO chmod +x /usr/sbin/policy-rc.d
  trap '$SUDO rm -f /usr/sbin/policy-rc.d' EXIT
fi
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends openssh-server >/dev/null
/usr/sbin/sshd -V 2>&1 | head -1 || true
test -x /usr/sbin/sshd
