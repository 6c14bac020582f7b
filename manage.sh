#!/usr/bin/env bash
# The two commands of the README:
#   ./manage.sh run  [--host H] [--port P]   set up .venv and start Vitrine
#   ./manage.sh test [pytest arguments]      set up .venv and run the whole test suite
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")"
VENV=.venv

# Create the virtualenv if needed and install the project editable: "run" installs the
# application, "test" adds the test extras. Skipped while pyproject.toml is unchanged since
# the last install (a stamp holding its checksum; a test install also serves "run").
setup() {
    local kind="$1" wanted
    local stamps=("$VENV/.vitrine-install-test")
    local target=".[test]"
    if [ "$kind" = run ]; then
        stamps+=("$VENV/.vitrine-install-run")
        target="."
    fi
    if [ ! -x "$VENV/bin/python" ]; then
        echo "Creating $VENV…" >&2
        python3 -m venv "$VENV"
    fi
    wanted="$(sha256sum pyproject.toml | cut -d' ' -f1)"
    for stamp in "${stamps[@]}"; do
        if [ "$(cat "$stamp" 2>/dev/null || true)" = "$wanted" ]; then
            return
        fi
    done
    echo "Installing Vitrine ($target) into $VENV…" >&2
    "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check -e "$target"
    echo "$wanted" > "$VENV/.vitrine-install-$kind"
}

# Browser tests drive Debian's Chromium and the PDF catalogue tests read text with
# poppler's pdftotext; install what is missing when we may (root with apt-get).
ensure_test_tools() {
    local missing=()
    [ -x /usr/bin/chromium ] || missing+=(chromium)
    command -v pdftotext > /dev/null || missing+=(poppler-utils)
    if [ ${#missing[@]} -eq 0 ]; then
        return
    fi
    if [ "$(id -u)" -eq 0 ] && command -v apt-get > /dev/null; then
        echo "Installing ${missing[*]} for the tests…" >&2
        apt-get update
        DEBIAN_FRONTEND=noninteractive apt-get install -y "${missing[@]}"
    else
        echo "warning: ${missing[*]} missing; install Debian's packages to run the browser" \
             "and PDF text tests" >&2
    fi
}

# The whole suite runs on pytest-xdist workers, one per CPU (browser tests together on one
# of them, see tests/conftest.py). A run naming test files or node ids, or passing its own
# -n / --dist / -p no:xdist, or --pdb, --trace, -s, --collect-only, runs as asked.
xdist_args() {
    local arg
    for arg in "$@"; do
        case "$arg" in
            -n* | --numprocesses* | --dist* | -pno:xdist | no:xdist | --pdb | --trace | \
            -s | --capture=no | --co | --collect-only)
                return
                ;;
        esac
        if [ -e "${arg%%::*}" ]; then
            return  # a test path or node id
        fi
    done
    echo "-n auto --dist loadgroup"
}

usage() {
    sed -n '2,4p' "$0" | sed 's/^# \{0,1\}//' >&2
    exit 2
}

command="${1:-}"
if [ $# -gt 0 ]; then
    shift
fi
case "$command" in
    run)
        setup run
        exec "$VENV/bin/vitrine" serve "$@"
        ;;
    test)
        setup test
        ensure_test_tools
        # shellcheck disable=SC2046 # xdist_args prints separate words
        exec "$VENV/bin/python" -m pytest $(xdist_args "$@") "$@"
        ;;
    *)
        usage
        ;;
esac
