#!/usr/bin/env bash
# Installs what the tests need (MariaDB, Redis, Mosquitto from Debian packages; the Python dev extras)
# and runs the whole suite. The tests start their own throwaway servers on free loopback ports.
source "$(dirname "$0")/_venv.sh"
apt_install mariadb-server redis-server mosquitto mosquitto-clients chromium
# Conversions (LibreOffice), PDF thumbnails (poppler) and video metadata/test videos (ffmpeg).
apt_install libreoffice-impress poppler-utils ffmpeg
ensure_venv dev
cd "$ROOT"
# The Debian packages start system services; the tests never use them.
for svc in mariadb redis-server mosquitto; do
    (systemctl stop "$svc" || service "$svc" stop) >/dev/null 2>&1 || true
done
"$VENV/bin/ruff" check .
"$VENV/bin/ruff" format --check app tests bench alembic
# Most tests wait on real servers and browsers, not the CPU: three workers (one test file each at a time,
# so a file's module-scoped servers stay in one process) fit the suite in CI's budget on two cores.
# PYTEST_WORKERS=0 runs it in one process.
exec "$VENV/bin/pytest" -q -p no:cacheprovider -n "${PYTEST_WORKERS:-3}" --dist loadfile "$@"
