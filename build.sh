#!/usr/bin/env bash
# ClusterTrainer build entry point.
#   ./build.sh run          set up, then run the main job
#   ./build.sh test         set up, then run every test
#   ./build.sh bench NAME   set up, then run benchmark NAME (bench/NAME); ends with "NAME key=value ..."
#   ./build.sh setup        install what is missing, build the native shim and the solution
set -euo pipefail
cd "$(dirname "$0")"
ROOT=$(pwd)
CONFIG=${CONFIG:-Release}
NATIVE_DIR="$ROOT/artifacts/native"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_CLI_USE_MSBUILD_SERVER=0
export CLUSTERTRAINER_NATIVE_DIR="$NATIVE_DIR"

# Debian packages the product uses: libtorch (the compute engine) with OpenBLAS (without it libtorch
# falls back to the slow reference BLAS), the compiler and CMake for the shim, Fashion-MNIST (real
# data), python3-torch (golden fixtures, side-by-side benchmarks) and PostgreSQL (the cluster store;
# tests start a throw-away server themselves); iproute2 and docker-compose for the network-namespace and
# compose-file tests, zsh and fish for the tests of `ctr completion`.
APT_PACKAGES=(libtorch-dev libopenblas0-pthread python3-torch dataset-fashion-mnist g++ cmake make postgresql iproute2 docker-compose zsh fish)

log() { printf '\033[1;34m[build]\033[0m %s\n' "$*" >&2; }
die() { printf '\033[1;31m[build] error:\033[0m %s\n' "$*" >&2; exit 1; }

install_packages() {
  local missing=()
  for p in "${APT_PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  log "installing Debian packages: ${missing[*]}"
  local sudo=""
  if [ "$(id -u)" -ne 0 ]; then
    command -v sudo >/dev/null || die "packages ${missing[*]} are missing and this user is not root; install them with apt-get, or run as root"
    sudo="sudo"
  fi
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

build_native() {
  # CMake only recompiles what changed, so a second run costs a second or two.
  log "building the native shim (libtorch $(dpkg-query -W -f='${Version}' libtorch-dev 2>/dev/null || echo '?'))"
  cmake -S src/ClusterTrainer.Torch/native -B "$NATIVE_DIR" -DCMAKE_BUILD_TYPE=Release >/dev/null
  cmake --build "$NATIVE_DIR" -j"$(nproc)" 2>&1 | grep -v -E '^\[ *[0-9]+%\]|^-- ' || true
  [ -n "$(ls "$NATIVE_DIR"/*.so 2>/dev/null)" ] || die "the native shim did not build; see the compiler output above"
}

build_managed() {
  log "building the solution ($CONFIG)"
  dotnet build ClusterTrainer.sln -c "$CONFIG" -nologo -v:q -clp:ErrorsOnly
}

setup() {
  command -v dotnet >/dev/null || die "the .NET 10 SDK is not on PATH; install it first"
  install_packages
  build_native
  build_managed
}

cmd=${1:-}
case "$cmd" in
  setup) setup ;;
  run)
    shift; setup
    exec dotnet run --no-build -c "$CONFIG" --project src/ClusterTrainer.Node -- local "$@"
    ;;
  test)
    shift; setup
    log "running the tests"
    mkdir -p artifacts
    set +e
    dotnet test ClusterTrainer.sln --no-build -c "$CONFIG" -nologo "$@" 2>&1 | tee artifacts/test.log
    status=${PIPESTATUS[0]}
    set -e
    # One closing line that adds up every test project's summary.
    awk '/(Passed|Failed)! +-/ { for (i = 1; i <= NF; i++) { v = $(i + 1); gsub(",", "", v)
           if ($i == "Failed:") f += v; if ($i == "Passed:") p += v; if ($i == "Skipped:") s += v } }
         END { printf "tests: %d passed, %d failed, %d skipped\n", p, f, s }' artifacts/test.log
    exit "$status"
    ;;
  bench)
    name=${2:-}; [ -n "$name" ] || die "usage: ./build.sh bench NAME (one of: $(ls bench | tr '\n' ' '))"
    [ -d "bench/$name" ] || die "no benchmark '$name'; choose one of: $(ls bench | tr '\n' ' ')"
    setup
    if [ -x "bench/$name/run.sh" ]; then exec "bench/$name/run.sh" "${@:3}"; fi
    exec dotnet run -c "$CONFIG" --project "bench/$name" -- "${@:3}"
    ;;
  *) die "usage: ./build.sh run | test | bench NAME | setup" ;;
esac
