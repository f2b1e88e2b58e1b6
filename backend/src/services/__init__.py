"""The query layer: plain functions that take a Session, one module per resource."""
