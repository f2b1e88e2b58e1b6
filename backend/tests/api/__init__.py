"""The API suite: each resource through the app, on SQLite and PostgreSQL."""
