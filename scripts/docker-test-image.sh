#!/usr/bin/env bash
# Builds a tiny base image with this machine's node binary, its shared libraries
# and a POSIX shell (for `docker run --health-cmd`, which always runs via /bin/sh),
# FROM scratch, so tests and examples need no image registry.
# Prints the tag. Cached: an existing tag is reused unless FORCE=1.
set -euo pipefail

node_bin="$(readlink -f "$(command -v node)")"
node_version="$("$node_bin" -p 'process.version')"
tag="${SHIPGATE_BASE_IMAGE:-shipgate-node-base:${node_version#v}}"

if [[ "${FORCE:-0}" != 1 ]] && docker image inspect "$tag" >/dev/null 2>&1; then
  echo "$tag"
  exit 0
fi

ctx="$(mktemp -d)"
trap 'rm -rf "$ctx"' EXIT
mkdir -p "$ctx/rootfs/usr/bin" "$ctx/rootfs/bin" "$ctx/rootfs/tmp" "$ctx/rootfs/etc" "$ctx/rootfs/app"

copy_with_libs() {
  local bin="$1" dest="$2"
  cp "$bin" "$ctx/rootfs$dest"
  # ldd lines look like "libc.so.6 => /lib/x86_64-linux-gnu/libc.so.6 (0x...)" or "/lib64/ld-linux-x86-64.so.2 (0x...)"
  ldd "$bin" | grep -o '/[^ ]*' | while read -r lib; do
    [[ -e "$lib" ]] || continue
    mkdir -p "$ctx/rootfs$(dirname "$lib")"
    cp -L "$lib" "$ctx/rootfs$lib"
  done
}

copy_with_libs "$node_bin" /usr/bin/node
copy_with_libs "$(readlink -f /bin/sh)" /bin/sh
echo 'root:x:0:0:root:/root:/bin/sh' > "$ctx/rootfs/etc/passwd"
echo 'nobody:x:65534:65534:nobody:/nonexistent:/bin/sh' >> "$ctx/rootfs/etc/passwd"
printf 'root:x:0:\nnogroup:x:65534:\n' > "$ctx/rootfs/etc/group"
chmod 1777 "$ctx/rootfs/tmp"

cat > "$ctx/Dockerfile" <<'DOCKERFILE'
FROM scratch
COPY rootfs/ /
ENV PATH=/usr/bin:/bin
WORKDIR /app
CMD ["node"]
DOCKERFILE

docker build --quiet --label "shipgate.base=node" --tag "$tag" "$ctx" >/dev/null
echo "$tag"
