"""Pages of a person's own disclosure, under /disclosure/ (namespace "integrity")."""

app_name = "integrity"

urlpatterns: list = []
