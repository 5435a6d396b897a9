"""Certificates: an activity's certificates for its staff, batches, revoking and reissuing,
the certificate template, and the public verification of a certificate's token.

Thin: every change goes through credits.certificates, credits.certificate_batch and
credits.certificate_templates, which check the credit permission and write the
audit trail, exactly as the staff pages. Reading needs the credit or reports
permission. Templates (logo and signature images) are made on the staff page: a JSON
API lists them and sets an activity's choice, it does not take image uploads.

Verification needs no credentials and answers only what the verification page shows
[C5][C11]: numbers alone never verify, only the signed token of the QR code.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db.models import Q
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import generics, status
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.response import Response

from cmeconf.api.serializers.certificates import (
    CertificateBatchSerializer,
    CertificateBatchStartSerializer,
    CertificateFilterSerializer,
    CertificatePageSerializer,
    CertificateRevokeSerializer,
    CertificateSerializer,
    CertificateTemplateChoiceSerializer,
    CertificateTemplateChoiceWriteSerializer,
    CertificateTemplateSerializer,
    CertificateVerificationSerializer,
    CertificateVerifyQuerySerializer,
)
from cmeconf.api.views.base import ProviderScopedView
from cmeconf.api.views.integrity_base import TeamScopedView
from cmeconf.credits import certificate_batch, certificate_templates, certificates
from cmeconf.credits.certificate_tokens import certificate_for_token
from cmeconf.credits.models import (
    Certificate,
    CertificateBatch,
    CertificateTemplate,
    Claim,
    ClaimStatus,
    CreditSetup,
)
from cmeconf.providers.permissions import Permission, is_provider_member, permission_set

READ = frozenset({Permission.CREDIT, Permission.REPORTS})
ACT = frozenset({Permission.CREDIT})

NUMBER = OpenApiParameter(
    "number",
    str,
    OpenApiParameter.PATH,
    description="The certificate number, e.g. CME-2027-7KQ4-M9XD.",
)
BATCH = OpenApiParameter("batch", int, OpenApiParameter.PATH, description="The id of the batch.")


class _CertificateView(TeamScopedView):
    read_any = READ
    write_any = ACT

    def certificate(self) -> Certificate:
        cert = (
            Certificate.objects.filter(
                claim__activity=self.activity, number=self.kwargs["number"].upper()
            )
            .select_related("claim__person", "revoked_by")
            .first()
        )
        if cert is None:
            raise Http404(_("No such certificate in this activity."))
        cert.claim.activity = self.activity
        return cert

    def shown(self, cert: Certificate, code: int = status.HTTP_200_OK) -> Response:
        cert.status = certificates.status_of(cert)
        body = CertificateSerializer(cert, context=self.get_serializer_context()).data
        return Response(body, status=code)


def _counts(activity) -> dict:
    """The figures of the staff page's summary."""
    live = Claim.objects.filter(activity=activity, status=ClaimStatus.CLAIMED)
    return {
        "claims": live.count(),
        "missing": certificate_batch.claims_without_certificate(activity).count(),
        "current": Certificate.objects.filter(
            claim__in=live, superseded_at__isnull=True, revoked_at__isnull=True
        ).count(),
        "revoked": Certificate.objects.filter(
            claim__activity=activity, revoked_at__isnull=False
        ).count(),
    }


@extend_schema(tags=["certificates"])
class CertificateList(_CertificateView):
    """The activity's certificates, newest first, with the counts of the staff page."""

    serializer_class = CertificateSerializer
    validates_query = True
    http_method_names = ["get", "head", "options"]

    @extend_schema(
        summary="List and search the activity's certificates",
        description="For teams with the credit or reports permission. `q` finds a certificate "
        "number or words of the learner's name or e-mail. Replaced and revoked certificates "
        "are listed too, with their status.",
        parameters=[CertificateFilterSerializer],
        responses={200: CertificatePageSerializer},
    )
    def get(self, request, *args, **kwargs) -> Response:
        filters = CertificateFilterSerializer(data=request.query_params)
        filters.is_valid(raise_exception=True)
        certs = (
            Certificate.objects.filter(claim__activity=self.activity)
            .select_related("claim__person", "revoked_by")
            .order_by("-issued_at", "-id")
        )
        for word in filters.validated_data.get("q", "").split():
            certs = certs.filter(
                Q(number__iexact=word)
                | Q(claim__person__first_name__icontains=word)
                | Q(claim__person__last_name__icontains=word)
                | Q(claim__person__email__icontains=word)
            )
        page = self.paginate_queryset(certs)
        for cert in page:
            cert.status = certificates.status_of(cert)
        data = CertificateSerializer(page, many=True, context=self.get_serializer_context()).data
        response = self.get_paginated_response(data)
        response.data["counts"] = _counts(self.activity)
        return response


@extend_schema(tags=["certificates"])
class BatchStart(_CertificateView):
    serializer_class = CertificateBatchStartSerializer
    http_method_names = ["post", "options"]

    @extend_schema(
        summary="Issue every missing certificate, in the background",
        description="For the credit team. Every live claim with no certificate standing gets "
        "one; a revoked certificate is not reissued. Refused (400) while another batch of the "
        "activity runs, and when nothing is missing. Follow the progress at the batch's URL.",
        request=None,
        responses={201: CertificateBatchSerializer},
    )
    def post(self, request, *args, **kwargs) -> Response:
        if request.data:
            CertificateBatchStartSerializer(data=request.data).is_valid(raise_exception=True)
        batch = certificate_batch.start_batch(self.activity, by=request.user)
        batch.refresh_from_db()
        return Response(
            CertificateBatchSerializer(certificate_batch.batch_state(batch)).data,
            status=status.HTTP_201_CREATED,
        )


@extend_schema(tags=["certificates"], parameters=[BATCH])
class BatchDetail(_CertificateView):
    serializer_class = CertificateBatchSerializer
    http_method_names = ["get", "head", "options"]

    @extend_schema(summary="A batch's progress")
    def get(self, request, *args, **kwargs) -> Response:
        batch = CertificateBatch.objects.filter(
            activity=self.activity, pk=self.kwargs["batch"]
        ).first()
        if batch is None:
            raise Http404(_("No such batch in this activity."))
        response = Response(CertificateBatchSerializer(certificate_batch.batch_state(batch)).data)
        response["Cache-Control"] = "no-store"
        return response


@extend_schema(tags=["certificates"], parameters=[NUMBER])
class CertificateRevoke(_CertificateView):
    serializer_class = CertificateRevokeSerializer
    http_method_names = ["post", "options"]

    @extend_schema(
        summary="Revoke a certificate",
        description="For the credit team, with the reason (kept for the audit trail, never "
        "shown publicly). From now on its verification says it was revoked.",
        request=CertificateRevokeSerializer,
        responses={200: CertificateSerializer},
    )
    def post(self, request, *args, **kwargs) -> Response:
        cert = self.certificate()
        serializer = CertificateRevokeSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        certificates.revoke_certificate(
            cert, reason=serializer.validated_data["reason"], by=request.user
        )
        return self.shown(cert)


@extend_schema(tags=["certificates"], parameters=[NUMBER])
class CertificateReissue(_CertificateView):
    serializer_class = CertificateSerializer
    http_method_names = ["post", "options"]

    @extend_schema(
        summary="Issue a new certificate for the claim",
        description="After a correction of the claim: the new certificate states the claim as "
        "it is now; the one in force is marked as replaced. A withdrawn claim has none (400).",
        request=None,
        responses={201: CertificateSerializer},
    )
    def post(self, request, *args, **kwargs) -> Response:
        cert = self.certificate()
        new = certificates.issue_certificate(cert.claim, by=request.user)
        new = Certificate.objects.select_related("claim__person", "revoked_by").get(pk=new.pk)
        return self.shown(new, status.HTTP_201_CREATED)


@extend_schema(tags=["certificates"])
class TemplateChoice(_CertificateView):
    serializer_class = CertificateTemplateChoiceSerializer
    http_method_names = ["get", "put", "head", "options"]

    def body(self) -> dict:
        setup = (
            CreditSetup.objects.filter(activity=self.activity)
            .select_related("certificate_template")
            .first()
        )
        chosen = setup.certificate_template if setup else None
        return {"chosen": chosen, "in_use": certificates.template_for(self.activity)}

    @extend_schema(summary="The certificate template of the activity")
    def get(self, request, *args, **kwargs) -> Response:
        return Response(CertificateTemplateChoiceSerializer(self.body()).data)

    @extend_schema(
        summary="Choose the activity's certificate template",
        description="For the credit team. One of the provider's templates, or null for the "
        "provider's default. Certificates already issued keep their look; new ones use it.",
        request=CertificateTemplateChoiceWriteSerializer,
        responses={200: CertificateTemplateChoiceSerializer},
    )
    def put(self, request, *args, **kwargs) -> Response:
        serializer = CertificateTemplateChoiceWriteSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        template_id = serializer.validated_data["template"]
        template = None
        if template_id is not None:
            template = CertificateTemplate.objects.filter(
                provider=self.provider, pk=template_id
            ).first()
            if template is None:
                raise ValidationError({"template": _("Choose one of this provider's templates.")})
        certificate_templates.choose_template(self.activity, template, by=request.user)
        return Response(CertificateTemplateChoiceSerializer(self.body()).data)


@extend_schema(tags=["certificates"])
class TemplateList(ProviderScopedView):
    """The provider's certificate templates; made and changed on the staff page (images)."""

    serializer_class = CertificateTemplateSerializer
    permission_classes = [IsAuthenticated]
    pagination_class = None
    http_method_names = ["get", "head", "options"]

    def initial(self, request, *args, **kwargs) -> None:
        super().initial(request, *args, **kwargs)
        if not is_provider_member(request.user, self.provider):
            raise Http404(_("No such provider."))
        # Templates belong to the whole provider: credit in a team over all its activities.
        if Permission.CREDIT not in permission_set(request.user, self.provider):
            self.permission_denied(request, message=_("Your teams do not allow this."))

    @extend_schema(
        summary="List the provider's certificate templates",
        description="For the credit permission in a team that covers all of the provider's "
        "activities. Logos and signatures are uploaded on the staff page.",
        responses={200: CertificateTemplateSerializer(many=True)},
    )
    def get(self, request, *args, **kwargs) -> Response:
        templates = CertificateTemplate.objects.filter(provider=self.provider).order_by("name")
        return Response(CertificateTemplateSerializer(templates, many=True).data)


@extend_schema(tags=["certificates"])
class Verify(generics.GenericAPIView):
    """Is this certificate genuine, and what does it say? No credentials needed."""

    serializer_class = CertificateVerificationSerializer
    permission_classes = [AllowAny]
    validates_query = True

    @extend_schema(
        summary="Verify a certificate by the token of its QR code",
        description="The token is the last part of the verification link printed on the "
        "certificate. A genuine, valid certificate answers what it says; a revoked one only "
        "its number and the day it was revoked; a replaced one only its number. A token that "
        "names no certificate answers 404 with genuine false. Numbers alone never verify.",
        parameters=[CertificateVerifyQuerySerializer],
        responses={
            200: CertificateVerificationSerializer,
            404: OpenApiResponse(
                CertificateVerificationSerializer, description="Not a certificate issued here."
            ),
        },
    )
    def get(self, request, *args, **kwargs) -> Response:
        query = CertificateVerifyQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        cert = certificate_for_token(query.validated_data["token"])
        if cert is None:
            body = {"genuine": False, "status": None, "number": None, "revoked_on": None,
                    "content": None}  # fmt: skip
            code = status.HTTP_404_NOT_FOUND
        else:
            state = certificates.status_of(cert)
            revoked_on = None
            if cert.revoked_at:
                tz = cert.claim.activity.tz
                revoked_on = timezone.localtime(cert.revoked_at, tz).date()
            body = {
                "genuine": True,
                "status": state,
                "number": cert.number,
                "revoked_on": revoked_on,
                "content": cert.content if state == "valid" else None,
            }
            code = status.HTTP_200_OK
        response = Response(CertificateVerificationSerializer(body).data, status=code)
        # What it says changes when the certificate is revoked or replaced.
        response["Cache-Control"] = "no-cache"
        response["X-Robots-Tag"] = "noindex"
        return response
