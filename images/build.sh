#!/usr/bin/env bash
# Usage: images/build.sh [--context-only] [--tag TAG]
#
# Builds Shipmate's two images without a Docker engine (docs/images.md):
#   localhost/shipmate        the control plane (`shipmate server`)
#   localhost/shipmate-agent  an execution plane (`shipmate agent`)
# with Debian's buildah (`bud --isolation chroot`, vfs storage), from images/*/Containerfile and a
# build context this script lays out in images/.build/<image>: nothing is pulled. The control
# plane's Debian base (debootstrap minbase with git) is made once and cached in images/.cache.
#
# Each image is tagged with a hash of its build context (`content-<hash>`) and with TAG (default
# `latest`); when an image of that hash exists, it is only tagged again, not rebuilt. Prints one
# line per image: `image <name> <content tag> <size in bytes>`.
#
# --context-only: lay out the build contexts and stop (for `docker build`, see the Containerfiles).
set -euo pipefail

IMAGES_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO="$(dirname "$IMAGES_DIR")"
# shellcheck source=podman-env.sh
. "$IMAGES_DIR/podman-env.sh"

context_only=false
tag=latest
while (($# > 0)); do
  case "$1" in
    --context-only) context_only=true ;;
    --tag)
      tag="${2:?--tag needs a value, e.g. --tag dev}"
      shift
      ;;
    *)
      echo "images/build.sh: unknown argument '$1': give --context-only or --tag TAG" >&2
      exit 2
      ;;
  esac
  shift
done

require() {
  local missing=()
  for tool in "$@"; do command -v "$tool" >/dev/null 2>&1 || missing+=("$tool"); done
  if ((${#missing[@]} > 0)); then
    echo "images/build.sh: missing ${missing[*]}: apt-get install buildah podman runc catatonit debootstrap" >&2
    exit 2
  fi
}
require node debootstrap
$context_only || require buildah podman runc

BUILD="$IMAGES_DIR/.build"
CACHE="$IMAGES_DIR/.cache"
mkdir -p "$BUILD" "$CACHE"

echo "==> compile (npm run build: tsc -b, then the web UI with vite)"
(cd "$REPO" && npm run build --silent)

echo "==> build contexts"
node "$IMAGES_DIR/prepare-context.mjs" shipmate-agent "$BUILD/shipmate-agent"
node "$IMAGES_DIR/prepare-context.mjs" shipmate "$BUILD/shipmate"
"$IMAGES_DIR/debian-rootfs.sh" "$CACHE/debian-rootfs.tar"
mkdir -p "$BUILD/shipmate/base"
ln -f "$CACHE/debian-rootfs.tar" "$BUILD/shipmate/base/rootfs.tar" 2>/dev/null || cp "$CACHE/debian-rootfs.tar" "$BUILD/shipmate/base/rootfs.tar"

if $context_only; then
  echo "build contexts: $BUILD/shipmate and $BUILD/shipmate-agent (docker build -f images/<image>/Containerfile images/.build/<image>)"
  exit 0
fi

# A hash of everything an image is built from: its Containerfile and every path, mode, link and
# file content of its context.
context_hash() {
  local image="$1"
  (
    cd "$BUILD/$image"
    sha256sum "$IMAGES_DIR/$image/Containerfile" | cut -d' ' -f1
    find . -printf '%p %m %y %l\n' | LC_ALL=C sort
    find . -type f -print0 | LC_ALL=C sort -z | xargs -0 sha256sum
  ) | sha256sum | cut -c1-16
}

for image in shipmate-agent shipmate; do
  content="content-$(context_hash "$image")"
  ref="localhost/$image:$content"
  if podman image exists "$ref"; then
    echo "==> $image: $ref exists (same context), not rebuilt"
  else
    echo "==> $image: buildah bud -> $ref"
    started=$SECONDS
    buildah --storage-driver vfs bud --isolation chroot --format docker --layers=false \
      -f "$IMAGES_DIR/$image/Containerfile" -t "$ref" "$BUILD/$image"
    echo "==> $image: built in $((SECONDS - started)) s"
  fi
  podman tag "$ref" "localhost/$image:$tag"
  size="$(podman image inspect --format '{{.Size}}' "$ref")"
  echo "image $image $content $size ($((size / 1024 / 1024)) MiB)"
done
