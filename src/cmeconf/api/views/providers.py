"""Providers the caller works for, and the topic vocabulary."""

from __future__ import annotations

from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics
from rest_framework.permissions import AllowAny, IsAuthenticated

from cmeconf.activities.models import Topic
from cmeconf.api.permissions import resolve_provider
from cmeconf.api.serializers.providers import (
    ProviderDetailSerializer,
    ProviderListSerializer,
    TopicSerializer,
)
from cmeconf.providers.models import Provider
from cmeconf.providers.permissions import is_provider_member


@extend_schema(summary="Providers you belong to", tags=["providers"])
class ProviderList(generics.ListAPIView):
    """The providers in one of whose teams you are."""

    serializer_class = ProviderListSerializer
    permission_classes = [IsAuthenticated]

    def get_queryset(self) -> QuerySet[Provider]:
        user = self.request.user
        if getattr(self, "swagger_fake_view", False) or not user.is_authenticated:
            return Provider.objects.none()
        if user.is_superuser:
            return Provider.objects.order_by("name")
        return Provider.objects.filter(teams__members=user).distinct().order_by("name")


@extend_schema(summary="One provider you belong to", tags=["providers"])
class ProviderDetail(generics.RetrieveAPIView):
    """A provider's details and what your teams allow for all of its activities."""

    serializer_class = ProviderDetailSerializer
    permission_classes = [IsAuthenticated]

    def get_object(self) -> Provider:
        provider = resolve_provider(self.kwargs["provider"])
        if not is_provider_member(self.request.user, provider):
            raise Http404(_("No such provider."))
        return provider


@extend_schema(
    summary="Topic vocabulary",
    tags=["topics"],
    parameters=[
        OpenApiParameter(
            "provider",
            str,
            description="A provider's slug: adds that provider's own topics to the shared ones.",
        )
    ],
)
class TopicList(generics.ListAPIView):
    """Topics sessions are tagged with; licensure requirements are met through them."""

    serializer_class = TopicSerializer
    permission_classes = [AllowAny]
    provider_in_query = True

    def get_queryset(self) -> QuerySet[Topic]:
        scope = Q(provider=None)
        slug = self.request.query_params.get("provider")
        if slug:
            scope |= Q(provider=resolve_provider(slug))
        return Topic.objects.filter(scope).select_related("provider").order_by("name", "slug")
