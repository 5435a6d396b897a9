"""Providers and the topic vocabulary."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from cmeconf.activities.models import Topic
from cmeconf.api.serializers.fields import ModelSerializer
from cmeconf.providers.models import Provider
from cmeconf.providers.permissions import Permission, permission_set


class ProviderListSerializer(ModelSerializer):
    class Meta:
        model = Provider
        fields = ["slug", "name", "website", "contact_email", "time_zone"]


class ProviderDetailSerializer(ModelSerializer):
    permissions = serializers.SerializerMethodField(
        help_text="What your teams allow for all of the provider's activities."
    )

    class Meta:
        model = Provider
        fields = [
            "slug",
            "name",
            "website",
            "contact_email",
            "contact_phone",
            "address",
            "time_zone",
            "permissions",
        ]

    @extend_schema_field(serializers.ListField(child=serializers.ChoiceField(Permission.choices)))
    def get_permissions(self, obj: Provider) -> list[str]:
        return sorted(permission_set(self.context["request"].user, obj))


class TopicSerializer(ModelSerializer):
    provider = serializers.SlugRelatedField(
        slug_field="slug",
        read_only=True,
        allow_null=True,
        help_text="The provider whose own topic this is; null for the shared vocabulary.",
    )

    class Meta:
        model = Topic
        fields = ["slug", "name", "provider"]
