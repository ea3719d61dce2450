#!/usr/bin/env bash
# Runs the whole system in one process on the embedded default: SQLite under ./data, an embedded MQTT
# broker on 127.0.0.1:1883 (all interfaces with MQTT_USER/MQTT_PASSWORD), an in-process worker, and the
# dashboard + GraphQL on http://localhost:8000.
source "$(dirname "$0")/_venv.sh"
# Presentation conversions (LibreOffice), PDF page counts/thumbnails (poppler), video metadata (ffprobe).
apt_install_optional libreoffice-impress poppler-utils ffmpeg
# Only what running needs (no test/lint extras).
ensure_venv
cd "$ROOT"
export DATA_DIR="${DATA_DIR:-$ROOT/data}"
print_first_run_banner
exec "$VENV/bin/infoscreen" run
