#!/usr/bin/env bash
# Usage: images/debian-rootfs.sh OUT.tar
#
# The base of the shipmate (control-plane) image: a Debian minbase root file system with git and
# the CA certificates, made by debootstrap from the mirror apt already uses (no base image is pulled).
# It is built once and kept in OUT.tar; a second run with the same suite and packages reuses it.
# Environment: SHIPMATE_DEBIAN_SUITE (default: this host's VERSION_CODENAME),
# SHIPMATE_DEBIAN_MIRROR (default: the first deb URI in /etc/apt/sources.list*).
set -euo pipefail

out="${1:?usage: images/debian-rootfs.sh OUT.tar}"
packages="git,ca-certificates"

suite="${SHIPMATE_DEBIAN_SUITE:-$(. /etc/os-release && echo "${VERSION_CODENAME:-}")}"
if [[ -z "$suite" ]]; then
  echo "debian-rootfs: no Debian suite: set SHIPMATE_DEBIAN_SUITE (e.g. bookworm)" >&2
  exit 2
fi

# The mirror apt uses: deb822 'URIs:' lines first, then one-line 'deb URI suite' entries.
apt_mirror() {
  local uri
  uri="$(grep -hsE '^URIs:' /etc/apt/sources.list.d/*.sources | awk '{print $2}' | grep -v -- '-security' | head -n 1 || true)"
  if [[ -z "$uri" ]]; then
    uri="$(grep -hsE '^deb ' /etc/apt/sources.list /etc/apt/sources.list.d/*.list | awk '{print $2}' | grep -v -- '-security' | head -n 1 || true)"
  fi
  echo "$uri"
}
mirror="${SHIPMATE_DEBIAN_MIRROR:-$(apt_mirror)}"
if [[ -z "$mirror" ]]; then
  echo "debian-rootfs: no Debian mirror found in /etc/apt/sources.list*: set SHIPMATE_DEBIAN_MIRROR to one" >&2
  exit 2
fi

key="$suite $packages"
if [[ -s "$out" && -f "$out.key" && "$(cat "$out.key")" == "$key" ]]; then
  echo "debian-rootfs: reusing $out ($key)"
  exit 0
fi
command -v debootstrap >/dev/null 2>&1 || {
  echo "debian-rootfs: debootstrap is missing: apt-get install debootstrap" >&2
  exit 2
}

work="$(mktemp -d "${out%/*}/rootfs.XXXXXX")"
trap 'rm -rf "$work"' EXIT
echo "debian-rootfs: debootstrap --variant=minbase --include=$packages $suite from $mirror"
debootstrap --variant=minbase --include="$packages" "$suite" "$work/root" "$mirror" >"$work/debootstrap.log" 2>&1 || {
  tail -n 30 "$work/debootstrap.log" >&2
  echo "debian-rootfs: debootstrap failed (log above)" >&2
  exit 1
}
# What an image does not need: package lists and caches, documentation, manual pages, locales but C.
rm -rf "$work/root/var/lib/apt/lists/"* "$work/root/var/cache/apt/"* "$work/root/var/cache/debconf/"*-old \
  "$work/root/usr/share/doc/"* "$work/root/usr/share/man/"* "$work/root/usr/share/info/"* "$work/root/var/log/"*
find "$work/root/usr/share/locale" -mindepth 1 -maxdepth 1 ! -name 'locale.alias' -exec rm -rf {} + 2>/dev/null || true
tar --numeric-owner --xattrs -C "$work/root" -cf "$work/rootfs.tar" .
mv "$work/rootfs.tar" "$out"
echo "$key" >"$out.key"
echo "debian-rootfs: wrote $out ($(du -h "$out" | cut -f1))"
