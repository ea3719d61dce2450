"""The domain layer: models, rules and use cases. Knows nothing of GraphQL, NiceGUI, MQTT or Dramatiq."""
