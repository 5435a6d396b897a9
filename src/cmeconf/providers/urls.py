"""Staff pages of a provider (settings, teams). Mounted under /staff/ in the "staff" namespace."""

urlpatterns: list = []
