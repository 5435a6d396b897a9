"""The learner's transcript pages, under /transcript/: the page, its CSV and PDF, and the
certificates of the credit they recorded themselves.

Thin: the transcript comes from transcripts.transcript, the checks on a
certificate file from transcripts.attach_certificate. Only the logged-in person's
own records are ever read: another person's credit id is a 404, never a page.
"""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from cmeconf.licensure import transcript_pdf, transcripts
from cmeconf.licensure.models import ExternalCredit


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


class TranscriptFilterForm(forms.Form):
    start = forms.DateField(label=gettext_lazy("From"), required=False, widget=DateInput())
    end = forms.DateField(label=gettext_lazy("Until"), required=False, widget=DateInput())
    type = forms.MultipleChoiceField(
        label=gettext_lazy("Credit types"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=gettext_lazy("Tick none to see every credit type."),
    )

    def __init__(self, *args, choices: list[tuple[str, str]], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["type"].choices = choices

    def clean(self):
        data = super().clean()
        start, end = data.get("start"), data.get("end")
        if start and end and end < start:
            self.add_error("end", _("The end date must not come before the start date."))
        return data


class CertificateUploadForm(forms.Form):
    certificate = forms.FileField(
        label=gettext_lazy("Certificate file"),
        help_text=gettext_lazy("A PDF, PNG or JPEG file of at most 5 MB."),
        widget=forms.ClearableFileInput(attrs={"accept": ".pdf,.png,.jpg,.jpeg"}),
    )


def _filtered(request: HttpRequest) -> tuple[TranscriptFilterForm, transcripts.Transcript | None]:
    """The filter form from the query string and, when it is valid, the transcript."""
    form = TranscriptFilterForm(
        request.GET or None, choices=transcripts.credit_type_choices(request.user)
    )
    if request.GET and not form.is_valid():
        return form, None
    data = form.cleaned_data if request.GET else {}
    found = transcripts.transcript(
        request.user,
        start=data.get("start"),
        end=data.get("end"),
        credit_types=data.get("type") or None,
    )
    return form, found


def _page(request: HttpRequest, form, found, *, status: int = 200) -> HttpResponse:
    query = request.GET.urlencode()
    return render(
        request,
        "licensure/transcript.html",
        {
            "form": form,
            "transcript": found,
            "cpe_monitor_note": transcripts.cpe_monitor_note(),
            "query": f"?{query}" if query else "",
            "nav": "transcript",
        },
        status=status,
    )


def _stamp() -> str:
    return timezone.localdate().isoformat()


@login_required
@require_safe
def index(request: HttpRequest) -> HttpResponse:
    form, found = _filtered(request)
    return _page(request, form, found)


@login_required
@require_safe
def transcript_csv(request: HttpRequest) -> HttpResponse:
    form, found = _filtered(request)
    if found is None:
        return _page(request, form, None, status=400)
    response = HttpResponse(transcripts.csv_text(found), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="transcript-{_stamp()}.csv"'
    response["Cache-Control"] = "no-store"
    return response


@login_required
@require_safe
def transcript_pdf_view(request: HttpRequest) -> HttpResponse:
    form, found = _filtered(request)
    if found is None:
        return _page(request, form, None, status=400)
    response = HttpResponse(transcript_pdf.transcript_pdf(found), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="transcript-{_stamp()}.pdf"'
    response["Cache-Control"] = "no-store"
    return response


def _own_credit(request: HttpRequest, pk: int) -> ExternalCredit:
    return get_object_or_404(ExternalCredit, pk=pk, person=request.user)


@login_required
@require_safe
def external_certificate(request: HttpRequest, pk: int):
    """The certificate file of the learner's own recorded credit; 404 for anyone else's."""
    credit = _own_credit(request, pk)
    try:
        found = transcripts.open_certificate(credit, person=request.user)
    except FileNotFoundError as exc:
        raise Http404(_("No certificate is kept for this credit.")) from exc
    response = FileResponse(
        found.handle, as_attachment=True, filename=found.filename, content_type=found.content_type
    )
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def external_certificate_upload(request: HttpRequest, pk: int) -> HttpResponse:
    credit = _own_credit(request, pk)
    form = CertificateUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            transcripts.attach_certificate(
                credit, form.cleaned_data["certificate"], person=request.user
            )
        except ValidationError as error:
            for field, problems in error.message_dict.items():
                for message in problems:
                    form.add_error(field if field in form.fields else None, message)
        else:
            messages.success(
                request, _("Certificate kept for %(title)s.") % {"title": credit.title}
            )
            return redirect("transcript:index")
    return render(
        request,
        "licensure/transcript_certificate_form.html",
        {"form": form, "credit": credit, "nav": "transcript"},
        status=400 if form.errors else 200,
    )


@login_required
@require_POST
def external_certificate_remove(request: HttpRequest, pk: int) -> HttpResponse:
    credit = _own_credit(request, pk)
    transcripts.remove_certificate(credit, person=request.user)
    messages.success(request, _("Certificate removed from %(title)s.") % {"title": credit.title})
    return redirect("transcript:index")
