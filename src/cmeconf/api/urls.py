"""REST API v1 (namespace "api")."""

app_name = "api"

urlpatterns: list = []
