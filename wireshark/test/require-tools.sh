# SPDX-License-Identifier: GPL-2.0-only
#
# Sourced by the Wireshark checks: stop with a message naming each missing tool
# and how to install it. A check whose tool is missing fails; it is never skipped.

require_tools() {
    local who=$1
    shift
    local tool package missing=0
    for tool in "$@"; do
        package=${tool%%=*}
        tool=${tool#*=}
        if ! command -v "$tool" >/dev/null 2>&1; then
            echo "$who: '$tool' not found: install it with 'apt-get install $package'" \
                "(./tlp-tunnel.sh test installs it)" >&2
            missing=1
        fi
    done
    [ "$missing" -eq 0 ] || exit 1
}
