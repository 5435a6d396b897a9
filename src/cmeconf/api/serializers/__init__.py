"""API serializers, one module per resource. Each endpoint has its own shape."""
