"""The NiceGUI dashboard: pages that call the GraphQL schema in-process, never the database."""
