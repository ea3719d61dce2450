# Shared by run.sh and test.sh: make sure Python, a venv and the project are installed.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV="${VENV:-$ROOT/.venv}"

apt_install() {
    local missing=()
    for pkg in "$@"; do
        dpkg -s "$pkg" >/dev/null 2>&1 || missing+=("$pkg")
    done
    if [ ${#missing[@]} -gt 0 ]; then
        if [ "$(id -u)" -ne 0 ]; then
            echo "missing Debian packages: ${missing[*]} (run as root, or install them first)" >&2
            exit 1
        fi
        echo "installing Debian packages: ${missing[*]}"
        if [ -z "${APT_UPDATED:-}" ]; then
            apt-get update -qq
            export APT_UPDATED=1
        fi
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
    fi
}

# Like apt_install, but a non-root user only gets a warning (the feature degrades, the system still runs).
apt_install_optional() {
    if [ "$(id -u)" -ne 0 ]; then
        for pkg in "$@"; do
            dpkg -s "$pkg" >/dev/null 2>&1 || echo "note: $pkg is not installed; install it as root for full functionality" >&2
        done
        return 0
    fi
    apt_install "$@"
}

ensure_python() {
    if ! command -v python3 >/dev/null 2>&1 || ! python3 -c 'import sys, venv; sys.exit(sys.version_info < (3, 11))' 2>/dev/null; then
        apt_install python3 python3-venv python3-dev
    fi
    if ! python3 -m venv --help >/dev/null 2>&1; then
        apt_install python3-venv
    fi
    command -v cc >/dev/null 2>&1 || apt_install build-essential
}

# `ensure_venv` installs what running needs; `ensure_venv dev` adds the test and lint extras.
ensure_venv() {
    local extras="${1:-}"
    ensure_python
    if [ ! -x "$VENV/bin/python" ]; then
        python3 -m venv "$VENV"
    fi
    local stamp="$VENV/.installed-${extras:-runtime}"
    local target="$ROOT"
    [ -n "$extras" ] && target="$ROOT[$extras]"
    if [ ! -f "$stamp" ] || [ "$ROOT/pyproject.toml" -nt "$stamp" ]; then
        "$VENV/bin/python" -m pip install -q --upgrade pip >/dev/null
        "$VENV/bin/python" -m pip install -q -e "$target"
        touch "$stamp"
    fi
}

# What to open and who to log in as (the password is printed by the server on the start that creates it).
print_first_run_banner() {
    local port="${HTTP_PORT:-8000}"
    local user="${DEFAULT_SUPERADMIN_USERNAME:-superadmin}"
    echo ""
    echo "  Infoscreen: open http://localhost:${port}/ in a browser"
    echo "  Log in as '${user}'. On the first start the server prints the generated password below"
    echo "  (or uses DEFAULT_SUPERADMIN_PASSWORD when set); change it under Profil."
    echo ""
}
