#!/usr/bin/env bash
# System packages robodrl's tests use: Mesa EGL for offscreen MuJoCo rendering, Chromium for the
# report check. Installs what is missing when run as root with apt-get; otherwise says what to
# install and carries on (the tests that need them say so).
set -u
packages=(libegl1 libegl-mesa0 libgl1-mesa-dri chromium)
missing=()
for p in "${packages[@]}"; do
  dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
  echo "installing ${missing[*]}"
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
else
  echo "robodrl: missing system packages: ${missing[*]} (sudo apt-get install ${missing[*]})" >&2
fi
