"""Licensure API: filled in below."""

urlpatterns: list = []
