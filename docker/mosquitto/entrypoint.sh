#!/bin/sh
# First start: create the dynamic-security state with the server's admin account (MQTT_USER/MQTT_PASSWORD).
# The server adds its own role, the provisioning login and every display account at runtime.
set -eu
state="${MOSQUITTO_DYNSEC_FILE:-/mosquitto/data/dynamic-security.json}"
if [ ! -s "$state" ]; then
    : "${MQTT_USER:?MQTT_USER must be set}"
    : "${MQTT_PASSWORD:?MQTT_PASSWORD must be set}"
    mosquitto_ctrl dynsec init "$state" "$MQTT_USER" "$MQTT_PASSWORD" >/dev/null
    # Mosquitto drops to the mosquitto user and must be able to rewrite the file.
    chown mosquitto:mosquitto "$state" 2>/dev/null || true
    chmod 600 "$state"
    echo "dynamic-security: created $state with admin account $MQTT_USER"
fi
exec mosquitto -c /mosquitto/config/mosquitto.conf
