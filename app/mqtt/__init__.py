"""The MQTT adapter: the frozen wire contract with displays, ingest, publishers and the scheduler loop."""
