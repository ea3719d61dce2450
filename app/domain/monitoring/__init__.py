"""Client logs, health classification and the monitoring overview."""
