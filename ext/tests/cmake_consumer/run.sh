#!/usr/bin/env bash
# The CMake consumer test: the example built and run four ways.
#   1. host, add_subdirectory(ext)
#   2. host, cmake --install of ext, then find_package(attncore) (+ pkg-config)
#   3. Cortex-M4 (toolchain file), add_subdirectory, run under qemu-system-arm
#   4. Cortex-M4, installed package built with the same toolchain, find_package
# Usage: run.sh EXT_DIR [BUILD_DIR] [--host-only]   (--host-only: steps 1 and 2)
set -euo pipefail
EXT=$(cd "$1" && pwd)
B=${2:-$(mktemp -d)}
HOST_ONLY=${3:-}
B=$(mkdir -p "$B" && cd "$B" && pwd)
HERE=$(cd "$(dirname "$0")" && pwd)
M4=$EXT/cmake/toolchains/arm-none-eabi-cortex-m4.cmake
step() { echo; echo "=== $*"; }
# ctest prints a passing test's output only with -V: each run shows its
# "example: ok", which tests/test_cmake_consumer.py counts

step "1. host, add_subdirectory"
cmake -S "$HERE" -B "$B/host-sub" -DATTNCORE_SOURCE_DIR="$EXT" -DEXAMPLE_MAIN="$EXT/examples/main.c" >/dev/null
cmake --build "$B/host-sub" >/dev/null
ctest --test-dir "$B/host-sub" --output-on-failure -V | grep -E 'example: ok|Passed|Failed'

step "2. host, installed package (find_package and pkg-config)"
cmake -S "$EXT" -B "$B/ext-host" -DCMAKE_INSTALL_PREFIX="$B/prefix-host" -DAC_BUILD_TESTS=OFF >/dev/null
cmake --build "$B/ext-host" >/dev/null
cmake --install "$B/ext-host" >/dev/null
cmake -S "$HERE" -B "$B/host-pkg" -DCMAKE_PREFIX_PATH="$B/prefix-host" -DEXAMPLE_MAIN="$EXT/examples/main.c" >/dev/null
cmake --build "$B/host-pkg" >/dev/null
ctest --test-dir "$B/host-pkg" --output-on-failure -V | grep -E 'example: ok|Passed|Failed'
PKG_CONFIG_PATH="$B/prefix-host/lib/pkgconfig" pkg-config --cflags --libs attncore
cc -std=c99 $(PKG_CONFIG_PATH="$B/prefix-host/lib/pkgconfig" pkg-config --cflags attncore) \
   "$EXT/examples/main.c" $(PKG_CONFIG_PATH="$B/prefix-host/lib/pkgconfig" pkg-config --libs attncore) \
   -o "$B/example-pkgconfig"
"$B/example-pkgconfig" | tail -1

if [ "$HOST_ONLY" = "--host-only" ]; then
  echo; echo "cmake consumer: 2 passed (host only)"
  exit 0
fi

step "3. Cortex-M4, add_subdirectory, under QEMU"
cmake -S "$HERE" -B "$B/m4-sub" -DCMAKE_TOOLCHAIN_FILE="$M4" -DCMAKE_BUILD_TYPE=Release \
      -DATTNCORE_SOURCE_DIR="$EXT" -DEXAMPLE_MAIN="$EXT/examples/main.c" >/dev/null
cmake --build "$B/m4-sub"
ctest --test-dir "$B/m4-sub" --output-on-failure -V | grep -E 'example|stack|saturations|m p|Passed|Failed'
ctest --test-dir "$B/m4-sub" --output-on-failure >/dev/null

step "4. Cortex-M4, installed package"
cmake -S "$EXT" -B "$B/ext-m4" -DCMAKE_TOOLCHAIN_FILE="$M4" -DCMAKE_BUILD_TYPE=Release \
      -DCMAKE_INSTALL_PREFIX="$B/prefix-m4" -DAC_BUILD_TESTS=OFF -DAC_INSTALL=ON >/dev/null
cmake --build "$B/ext-m4" >/dev/null
cmake --install "$B/ext-m4" >/dev/null
cmake -S "$HERE" -B "$B/m4-pkg" -DCMAKE_TOOLCHAIN_FILE="$M4" -DCMAKE_BUILD_TYPE=Release \
      -DCMAKE_PREFIX_PATH="$B/prefix-m4" -DCMAKE_FIND_ROOT_PATH="$B/prefix-m4" \
      -DEXAMPLE_MAIN="$EXT/examples/main.c" >/dev/null
cmake --build "$B/m4-pkg" >/dev/null
ctest --test-dir "$B/m4-pkg" --output-on-failure -V | grep -E 'example: ok|Passed|Failed'
echo; echo "cmake consumer: 4 passed, 0 failed"
