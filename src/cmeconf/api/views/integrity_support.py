"""Commercial support (Standard 4): supporters, written agreements, the ledger, the accounting.

Thin: every change goes through integrity.support, which holds the rules [A11][A14]
[A15][A19][A22]. Reading needs the program, review or reports permission, changing
the program permission, as on the Support pages.
"""

from __future__ import annotations

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, status
from rest_framework.response import Response

from cmeconf.api.serializers.integrity_support import (
    AccountingReportSerializer,
    AgreementSerializer,
    AgreementWriteSerializer,
    LedgerEntrySerializer,
    LedgerWriteSerializer,
    SignatureSerializer,
    SupporterSerializer,
    SupporterWriteSerializer,
    VoidSerializer,
)
from cmeconf.api.views.integrity_base import ProviderTeamView, TeamScopedView
from cmeconf.integrity import support
from cmeconf.integrity.models import CommercialSupporter, LedgerEntry, SupportAgreement
from cmeconf.providers.permissions import Permission

READ = frozenset({Permission.PROGRAM, Permission.REVIEW, Permission.REPORTS})
WRITE = frozenset({Permission.PROGRAM})

AGREEMENT = OpenApiParameter(
    "agreement", int, OpenApiParameter.PATH, description="The id of the support agreement."
)
ENTRY = OpenApiParameter(
    "entry", int, OpenApiParameter.PATH, description="The id of the ledger entry."
)


@extend_schema(tags=["commercial support"])
class SupporterList(mixins.ListModelMixin, ProviderTeamView):
    """The provider's commercial supporters: ineligible companies of the registry [A11]."""

    serializer_class = SupporterSerializer
    read_any = READ
    write_any = WRITE

    def get_queryset(self) -> QuerySet[CommercialSupporter]:
        if getattr(self, "swagger_fake_view", False):
            return CommercialSupporter.objects.none()
        return (
            CommercialSupporter.objects.filter(provider=self.provider)
            .select_related("company")
            .order_by("company__name", "pk")
        )

    @extend_schema(summary="List the provider's commercial supporters")
    def get(self, request, *args, **kwargs) -> Response:
        return self.list(request, *args, **kwargs)

    @extend_schema(
        summary="Add a commercial supporter",
        description="Adding a company that already supports the provider returns that "
        "supporter, its contact updated where one is given.",
        request=SupporterWriteSerializer,
        responses={201: SupporterSerializer},
    )
    def post(self, request, *args, **kwargs) -> Response:
        serializer = SupporterWriteSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        supporter = support.add_supporter(
            self.provider, by=request.user, **serializer.validated_data
        )
        supporter = self.get_queryset().get(pk=supporter.pk)
        return Response(SupporterSerializer(supporter).data, status=status.HTTP_201_CREATED)


class _SupportView(TeamScopedView):
    read_any = READ
    write_any = WRITE

    def agreements(self) -> QuerySet[SupportAgreement]:
        return (
            SupportAgreement.objects.filter(activity=self.activity)
            .select_related("supporter__company")
            .order_by("supporter__company__name", "id")
        )

    def agreement(self) -> SupportAgreement:
        agreement = get_object_or_404(self.agreements(), pk=self.kwargs["agreement"])
        agreement.activity = self.activity
        return agreement

    def show(self, agreement: SupportAgreement, code: int = status.HTTP_200_OK) -> Response:
        agreement = self.agreements().get(pk=agreement.pk)
        agreement.activity = self.activity
        return Response(AgreementSerializer(agreement).data, status=code)


@extend_schema(tags=["commercial support"])
class AgreementList(mixins.ListModelMixin, _SupportView):
    """The activity's written agreements with their supporters [A14][A15]."""

    serializer_class = AgreementSerializer

    def get_queryset(self) -> QuerySet[SupportAgreement]:
        if getattr(self, "swagger_fake_view", False):
            return SupportAgreement.objects.none()
        return self.agreements()

    def paginate_queryset(self, queryset):
        page = super().paginate_queryset(queryset)
        for agreement in page if page is not None else []:
            agreement.activity = self.activity  # the status reads its start date
        return page

    @extend_schema(summary="List support agreements, with where each stands")
    def get(self, request, *args, **kwargs) -> Response:
        return self.list(request, *args, **kwargs)

    @extend_schema(
        summary="Record a support agreement",
        description="Cash support states its amount before anyone signs; in-kind support is "
        "described by its nature, without an amount [A22].",
        request=AgreementWriteSerializer,
        responses={201: AgreementSerializer},
    )
    def post(self, request, *args, **kwargs) -> Response:
        serializer = AgreementWriteSerializer(
            data=request.data, context=self.get_serializer_context()
        )
        serializer.is_valid(raise_exception=True)
        agreement = support.create_agreement(
            self.activity, by=request.user, **serializer.validated_data
        )
        return self.show(agreement, status.HTTP_201_CREATED)


@extend_schema(tags=["commercial support"], parameters=[AGREEMENT])
class AgreementDetail(_SupportView):
    serializer_class = AgreementSerializer
    http_method_names = ["get", "patch", "head", "options"]

    @extend_schema(summary="Read a support agreement")
    def get(self, request, *args, **kwargs) -> Response:
        return self.show(self.agreement())

    @extend_schema(
        summary="Change a support agreement",
        description="Its terms cannot change once both parties signed; when one party has "
        "signed and the terms change, that signature is withdrawn.",
        request=AgreementWriteSerializer,
        responses={200: AgreementSerializer},
    )
    def patch(self, request, *args, **kwargs) -> Response:
        agreement = self.agreement()
        serializer = AgreementWriteSerializer(
            data=request.data, partial=True, context=self.get_serializer_context()
        )
        serializer.is_valid(raise_exception=True)
        agreement = support.update_agreement(
            agreement, by=request.user, **serializer.validated_data
        )
        return self.show(agreement)


@extend_schema(tags=["commercial support"], parameters=[AGREEMENT])
class AgreementSign(_SupportView):
    serializer_class = SignatureSerializer

    @extend_schema(
        summary="Record a signature",
        description="For the provider or for the supporter. A date after the activity's "
        "first day is accepted and flagged as late [A15].",
        request=SignatureSerializer,
        responses={200: AgreementSerializer},
    )
    def post(self, request, *args, **kwargs) -> Response:
        agreement = self.agreement()
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        agreement = support.sign_agreement(agreement, by=request.user, **serializer.validated_data)
        return self.show(agreement)


def _entries(activity) -> QuerySet[LedgerEntry]:
    return (
        LedgerEntry.objects.filter(activity=activity)
        .select_related("agreement__supporter__company", "recorded_by", "voided_by")
        .order_by("date", "id")
    )


@extend_schema(tags=["commercial support"])
class LedgerList(mixins.ListModelMixin, _SupportView):
    """Money received from supporters and spent from commercial support [A11]."""

    serializer_class = LedgerEntrySerializer

    def get_queryset(self) -> QuerySet[LedgerEntry]:
        if getattr(self, "swagger_fake_view", False):
            return LedgerEntry.objects.none()
        return _entries(self.activity)

    @extend_schema(summary="List ledger entries, voided ones too")
    def get(self, request, *args, **kwargs) -> Response:
        return self.list(request, *args, **kwargs)

    @extend_schema(
        summary="Record a receipt or an expense",
        description="A receipt needs a cash agreement of this activity; an expense says what "
        "it paid for, never learners' travel, lodging, honoraria or personal expenses [A11].",
        request=LedgerWriteSerializer,
        responses={201: LedgerEntrySerializer},
    )
    def post(self, request, *args, **kwargs) -> Response:
        serializer = LedgerWriteSerializer(data=request.data, context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        entry = support.record_entry(self.activity, by=request.user, **serializer.validated_data)
        entry = _entries(self.activity).get(pk=entry.pk)
        return Response(LedgerEntrySerializer(entry).data, status=status.HTTP_201_CREATED)


@extend_schema(tags=["commercial support"], parameters=[ENTRY])
class LedgerVoid(_SupportView):
    serializer_class = VoidSerializer

    @extend_schema(
        summary="Void a ledger entry",
        description="It stays in the ledger, with the reason, and counts in no total.",
        request=VoidSerializer,
        responses={200: LedgerEntrySerializer},
    )
    def post(self, request, *args, **kwargs) -> Response:
        entry = get_object_or_404(_entries(self.activity), pk=self.kwargs["entry"])
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        support.void_entry(entry, by=request.user, reason=serializer.validated_data["reason"])
        entry = _entries(self.activity).get(pk=entry.pk)
        return Response(LedgerEntrySerializer(entry).data)


@extend_schema(tags=["commercial support"])
class SupportReport(_SupportView):
    """The accounting of the activity's commercial support, as produced on request [A11]."""

    serializer_class = AccountingReportSerializer
    http_method_names = ["get", "head", "options"]

    @extend_schema(summary="The accounting report of commercial support")
    def get(self, request, *args, **kwargs) -> Response:
        return Response(AccountingReportSerializer(support.accounting_report(self.activity)).data)
