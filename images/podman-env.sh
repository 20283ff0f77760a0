# Source this (`. images/podman-env.sh`) before podman or buildah commands on Shipmate's images: it
# points both at the repository's settings (runc, cgroupfs, vfs storage in a store of its own,
# explicit nofile/nproc limits), without which containers do not start on a machine like CI's
# (docs/images.md).
SHIPMATE_IMAGES_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
export CONTAINERS_CONF="$SHIPMATE_IMAGES_DIR/containers/containers.conf"
export CONTAINERS_STORAGE_CONF="$SHIPMATE_IMAGES_DIR/containers/storage.conf"
