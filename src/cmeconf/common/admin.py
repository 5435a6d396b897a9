"""The audit trail in the Django admin: to read and search, never to change."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from cmeconf.common.models import AuditEntry


@admin.register(AuditEntry)
class AuditEntryAdmin(admin.ModelAdmin):
    list_display = ("created", "actor_repr", "action", "object_repr", "provider_id", "activity_id")
    list_filter = ("action",)
    search_fields = ("action", "actor_repr", "object_repr", "object_id", "note")
    date_hierarchy = "created"
    list_select_related = False
    readonly_fields = [f.name for f in AuditEntry._meta.fields]
    actions = None
    show_full_result_count = False

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
