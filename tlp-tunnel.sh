#!/usr/bin/env bash
# tlp-tunnel driver: installs what is missing, builds incrementally, runs.
#
#   ./tlp-tunnel.sh demo [ARGS]        the main scenario: remote-write with pcap traces
#   ./tlp-tunnel.sh test               build and run every test
#   ./tlp-tunnel.sh run NAME [ARGS]    one example by its short name, with ns-3 arguments
#   ./tlp-tunnel.sh bench [ARGS]       release build, benchmark against plain ns-3
#   ./tlp-tunnel.sh list               the examples
#   ./tlp-tunnel.sh fuzz [SECONDS]     clang build, each libFuzzer target SECONDS (60)
#   ./tlp-tunnel.sh test-sanitize      clang build, every test under ASan and UBSan
#
# Environment: BUILD_DIR (default ./build, ./build-release for bench, ./build-fuzz,
# ./build-asan), JOBS.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
jobs=${JOBS:-$(nproc 2>/dev/null || echo 2)}

# Debian packages the build and the tests need ("ns3" holds helper programs that
# the installed CMake package file of libns3-dev checks for; tshark and python3
# run the Wireshark checks). Every command installs all of them before it
# configures a build, so a build configured by any command runs every test.
packages=(libns3-dev ns3 libgsl-dev libboost-dev libgtest-dev cmake ninja-build g++ make pkg-config
    tshark python3)
# libFuzzer and the sanitizers' runtimes (fuzz, test-sanitize).
sanitizer_packages=(clang-14 libclang-rt-14-dev)

die() {
    echo "tlp-tunnel.sh: $*" >&2
    exit 1
}

# Install the Debian packages that are missing; refresh the package lists once
# when apt cannot find them (a fresh machine has none).
ensure_packages() {
    local missing=()
    local p
    for p in "$@"; do
        dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
    done
    [ ${#missing[@]} -eq 0 ] && return 0
    local sudo=""
    if [ "$(id -u)" -ne 0 ]; then
        command -v sudo >/dev/null || die "missing packages: ${missing[*]} (run as root or install them)"
        sudo="sudo"
    fi
    echo "tlp-tunnel.sh: installing ${missing[*]}" >&2
    export DEBIAN_FRONTEND=noninteractive
    if ! $sudo apt-get install -y --no-install-recommends "${missing[@]}"; then
        $sudo apt-get update
        $sudo apt-get install -y --no-install-recommends "${missing[@]}"
    fi
}

configure_build() {
    local dir=$1 type=$2
    if [ ! -f "$dir/build.ninja" ]; then
        cmake -S "$here" -B "$dir" -G Ninja -DCMAKE_BUILD_TYPE="$type"
    fi
    cmake --build "$dir" -j "$jobs"
}

# What ran, by kind, with the Wireshark checks named, so that a reader sees at a
# glance that none was left out.
summarize_tests() {
    local dir=$1 status=$2
    local names
    names=$(ctest --test-dir "$dir" -N | sed -n 's/^ *Test *#[0-9]*: //p')
    local total examples wireshark gtests
    total=$(grep -c . <<<"$names" || true)
    examples=$(grep -c '^example\.' <<<"$names" || true)
    wireshark=$(grep '^wireshark\.' <<<"$names" | paste -sd, - | sed 's/,/, /g')
    local fuzz replays=""
    fuzz=$(grep -c '^fuzz-corpus\.' <<<"$names" || true)
    [ "$fuzz" -eq 0 ] || replays=" $fuzz fuzz corpus checks,"
    gtests=$((total - examples - fuzz - $(grep -c '^wireshark\.' <<<"$names" || true)))
    echo "tlp-tunnel.sh: $total tests ran: $gtests GoogleTest cases, $examples example runs,$replays" \
        "Wireshark checks: ${wireshark:-none}"
    if [ "$status" -eq 0 ]; then
        echo "tlp-tunnel.sh: all $total passed"
    else
        echo "tlp-tunnel.sh: some tests FAILED (ctest exit status $status; see above)"
    fi
}

example_path() {
    local dir=$1 name=$2
    [ -x "$dir/examples/$name" ] || die "no example '$name' (try: ./tlp-tunnel.sh list)"
    echo "$dir/examples/$name"
}

cmd=${1:-}
[ $# -gt 0 ] && shift
case "$cmd" in
demo)
    ensure_packages "${packages[@]}"
    dir=${BUILD_DIR:-$here/build}
    configure_build "$dir" RelWithDebInfo
    out="$dir/demo"
    mkdir -p "$out"
    (cd "$out" && "$(example_path "$dir" remote-write)" --pcap=true "$@")
    echo "pcap traces in $out: remote-write-<node>-<device>.pcap (device 0 is the NIC: raw TLPs;"
    echo "open them with: tshark -X lua_script:$here/wireshark/tlp-tunnel.lua -r FILE)"
    ;;
test)
    ensure_packages "${packages[@]}"
    dir=${BUILD_DIR:-$here/build}
    configure_build "$dir" RelWithDebInfo
    status=0
    ctest --test-dir "$dir" --output-on-failure -j "$jobs" || status=$?
    summarize_tests "$dir" "$status"
    exit "$status"
    ;;
run)
    [ $# -ge 1 ] || die "usage: ./tlp-tunnel.sh run NAME [ns-3 arguments]"
    name=$1
    shift
    ensure_packages "${packages[@]}"
    dir=${BUILD_DIR:-$here/build}
    configure_build "$dir" RelWithDebInfo
    exec "$(example_path "$dir" "$name")" "$@"
    ;;
bench)
    ensure_packages "${packages[@]}"
    dir=${BUILD_DIR:-$here/build-release}
    if [ ! -f "$dir/build.ninja" ]; then
        cmake -S "$here" -B "$dir" -G Ninja -DCMAKE_BUILD_TYPE=Release -DTLP_TUNNEL_TESTS=OFF
    fi
    cmake --build "$dir" -j "$jobs" --target tlp-tunnel-bench
    exec "$dir/tlp-tunnel-bench" "$@"
    ;;
list)
    sed -n 's/^ *NAME \(.*\)$/\1/p' "$here/examples/CMakeLists.txt"
    ;;
fuzz)
    seconds=${1:-60}
    ensure_packages "${packages[@]}" "${sanitizer_packages[@]}"
    dir=${BUILD_DIR:-$here/build-fuzz}
    if [ ! -f "$dir/build.ninja" ]; then
        CC=clang-14 CXX=clang++-14 cmake -S "$here" -B "$dir" -G Ninja \
            -DCMAKE_BUILD_TYPE=RelWithDebInfo -DTLP_TUNNEL_FUZZ=ON -DTLP_TUNNEL_TESTS=OFF
    fi
    cmake --build "$dir" -j "$jobs" --target fuzz-targets
    exec bash "$here/test/fuzz/run-fuzzers.sh" "$dir/fuzz" "$here/test/fuzz" "$seconds"
    ;;
test-sanitize)
    ensure_packages "${packages[@]}" "${sanitizer_packages[@]}"
    dir=${BUILD_DIR:-$here/build-asan}
    if [ ! -f "$dir/build.ninja" ]; then
        CC=clang-14 CXX=clang++-14 cmake -S "$here" -B "$dir" -G Ninja \
            -DCMAKE_BUILD_TYPE=RelWithDebInfo -DTLP_TUNNEL_SANITIZE=address,undefined
    fi
    cmake --build "$dir" -j "$jobs"
    # Any report fails its test: ASan and UBSan stop at the first, LeakSanitizer
    # checks every process at exit.
    status=0
    ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:halt_on_error=1:detect_stack_use_after_return=1} \
        UBSAN_OPTIONS=${UBSAN_OPTIONS:-halt_on_error=1:print_stacktrace=1} \
        ctest --test-dir "$dir" --output-on-failure -j "$jobs" || status=$?
    summarize_tests "$dir" "$status"
    exit "$status"
    ;;
*)
    sed -n '2,13p' "$0" | sed 's/^# \{0,1\}//'
    [ -z "$cmd" ] || exit 2
    ;;
esac
