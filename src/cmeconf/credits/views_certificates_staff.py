"""Staff pages of certificates: an activity's certificates (batch, search, revoke, template)
and the provider's certificate templates.

Seeing an activity's certificates needs the credit or the reports permission;
issuing, revoking and choosing a template need credit. Templates belong to the
provider: their page needs credit in a team that applies to all activities.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from cmeconf.credits import certificate_batch, certificate_templates, certificates
from cmeconf.credits.forms_certificates import (
    CertificateTemplateForm,
    RevokeForm,
    TemplateChoiceForm,
)
from cmeconf.credits.models import (
    Certificate,
    CertificateBatch,
    CertificateTemplate,
    Claim,
    ClaimStatus,
    CreditSetup,
)
from cmeconf.providers.access import in_activity_time, staff_required
from cmeconf.providers.models import Provider
from cmeconf.providers.permissions import Permission

CREDIT = Permission.CREDIT
VIEW_PERMISSIONS = frozenset({Permission.CREDIT, Permission.REPORTS})
PER_PAGE = 100


def _context(request: HttpRequest, provider, activity=None, **extra) -> dict:
    return {
        "provider": provider,
        "activity": activity,
        "perms": request.perms,
        "tab": "certificates",
        "section": "certificate_templates" if activity is None else "certificates",
        **extra,
    }


def _back(provider, activity) -> HttpResponse:
    return redirect("staff:certificates", provider.slug, activity.slug)


def _certificate(activity, pk: int) -> Certificate:
    cert = (
        Certificate.objects.filter(claim__activity=activity, pk=pk)
        .select_related("claim__person", "claim__activity__provider")
        .first()
    )
    if cert is None:
        raise Http404(_("No such certificate in this activity."))
    return cert


def _may_view(request) -> None:
    if not VIEW_PERMISSIONS & request.perms:
        raise PermissionDenied(_("Your teams do not allow this."))


@require_safe
@staff_required()
@in_activity_time
def certificates_page(request: HttpRequest, provider: Provider, activity) -> HttpResponse:
    _may_view(request)
    certs = (
        Certificate.objects.filter(claim__activity=activity)
        .select_related("claim__person")
        .order_by("-issued_at", "-id")
    )
    query = request.GET.get("q", "").strip()
    for word in query.split():
        certs = certs.filter(
            Q(number__iexact=word)
            | Q(claim__person__first_name__icontains=word)
            | Q(claim__person__last_name__icontains=word)
            | Q(claim__person__email__icontains=word)
        )
    page = Paginator(certs, PER_PAGE).get_page(request.GET.get("page"))
    for cert in page:
        cert.status = certificates.status_of(cert)
    batches = list(
        CertificateBatch.objects.filter(activity=activity).select_related("requested_by")[:10]
    )
    setup = CreditSetup.objects.filter(activity=activity).first()
    chosen = setup.certificate_template if setup else None
    live = Claim.objects.filter(activity=activity, status=ClaimStatus.CLAIMED)
    counts = {
        "claims": live.count(),
        "missing": certificate_batch.claims_without_certificate(activity).count(),
        "current": Certificate.objects.filter(
            claim__in=live, superseded_at__isnull=True, revoked_at__isnull=True
        ).count(),
        "revoked": Certificate.objects.filter(
            claim__activity=activity, revoked_at__isnull=False
        ).count(),
    }
    return render(
        request,
        "credits/staff/certificates.html",
        _context(
            request,
            provider,
            activity,
            page=page,
            query=query,
            counts=counts,
            batches=[(b, certificate_batch.batch_state(b)) for b in batches],
            running=certificate_batch.running_batch(activity),
            may_act=CREDIT in request.perms,
            choice_form=TemplateChoiceForm(initial={"template": chosen}, provider=provider),
            template_in_use=certificates.template_for(activity),
        ),
    )


@require_POST
@staff_required(CREDIT)
def batch_start(request: HttpRequest, provider: Provider, activity) -> HttpResponse:
    try:
        batch = certificate_batch.start_batch(activity, by=request.user)
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    else:
        batch.refresh_from_db()
        messages.success(
            request,
            _("Issuing %(n)s certificates. The page shows the progress.") % {"n": batch.total},
        )
    return _back(provider, activity)


@require_safe
@staff_required()
def batch_status(request: HttpRequest, provider: Provider, activity, batch: int) -> JsonResponse:
    _may_view(request)
    found = CertificateBatch.objects.filter(activity=activity, pk=batch).first()
    if found is None:
        raise Http404(_("No such batch in this activity."))
    response = JsonResponse(certificate_batch.batch_state(found))
    response["Cache-Control"] = "no-store"
    return response


@require_POST
@staff_required(CREDIT)
def choose_template(request: HttpRequest, provider: Provider, activity) -> HttpResponse:
    form = TemplateChoiceForm(request.POST, provider=provider)
    if form.is_valid():
        template = form.cleaned_data["template"]
        certificate_templates.choose_template(activity, template, by=request.user)
        messages.success(request, _("New certificates of this activity use the chosen template."))
    else:
        messages.error(request, _("Choose one of the templates listed."))
    return _back(provider, activity)


@require_http_methods(["GET", "HEAD", "POST"])
@staff_required(CREDIT)
@in_activity_time
def revoke(request: HttpRequest, provider: Provider, activity, certificate: int):
    """Ask for the reason (GET); the POST revokes."""
    cert = _certificate(activity, certificate)
    form = RevokeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            certificates.revoke_certificate(
                cert, reason=form.cleaned_data["reason"], by=request.user
            )
        except ValidationError as exc:
            for message in exc.messages:
                messages.error(request, message)
        else:
            messages.success(
                request, _("Certificate %(number)s is revoked.") % {"number": cert.number}
            )
        return _back(provider, activity)
    return render(
        request,
        "credits/staff/certificate_revoke.html",
        _context(
            request,
            provider,
            activity,
            cert=cert,
            status=certificates.status_of(cert),
            form=form,
        ),
    )


@require_POST
@staff_required(CREDIT)
def reissue(request: HttpRequest, provider: Provider, activity, certificate: int):
    """A new certificate for the claim (after a correction); the current one is superseded."""
    cert = _certificate(activity, certificate)
    try:
        new = certificates.issue_certificate(cert.claim, by=request.user)
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    else:
        messages.success(
            request,
            _("Certificate %(number)s issued; the one before is marked as replaced.")
            % {"number": new.number},
        )
    return _back(provider, activity)


# --- templates ------------------------------------------------------------------------


@require_safe
@staff_required(CREDIT)
def templates_page(request: HttpRequest, provider: Provider) -> HttpResponse:
    templates = CertificateTemplate.objects.filter(provider=provider).order_by("name")
    return render(
        request,
        "credits/staff/certificate_templates.html",
        _context(request, provider, templates=templates),
    )


@require_http_methods(["GET", "HEAD", "POST"])
@staff_required(CREDIT)
def template_edit(request: HttpRequest, provider: Provider, template: int | None = None):
    instance = None
    if template is not None:
        instance = CertificateTemplate.objects.filter(provider=provider, pk=template).first()
        if instance is None:
            raise Http404(_("No such template."))
    form = CertificateTemplateForm(request.POST or None, request.FILES or None, instance=instance)
    if request.method == "POST" and form.is_valid():
        saved = certificate_templates.save_template(form, provider=provider, by=request.user)
        messages.success(request, _("Template “%(name)s” saved.") % {"name": saved.name})
        return redirect("staff:certificate_templates", provider.slug)
    return render(
        request,
        "credits/staff/certificate_template_form.html",
        _context(request, provider, form=form, template=instance),
    )


@require_safe
@staff_required(CREDIT)
def template_preview(request: HttpRequest, provider: Provider, template: int) -> HttpResponse:
    instance = CertificateTemplate.objects.filter(provider=provider, pk=template).first()
    if instance is None:
        raise Http404(_("No such template."))
    response = HttpResponse(
        certificate_templates.preview_pdf(instance), content_type="application/pdf"
    )
    response["Content-Disposition"] = f'inline; filename="certificate-preview-{instance.pk}.pdf"'
    response["Cache-Control"] = "private, no-store"
    return response
