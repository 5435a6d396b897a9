"""API views, one module per resource. Thin: they scope, validate and call services."""
