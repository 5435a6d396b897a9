"""A learner's own consent to share their details with an activity's companies [A4].

Only the logged-in person's own consents are shown or changed; there is no URL
with a person's id.
"""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from cmeconf.activities.choices import PUBLIC_STATES
from cmeconf.activities.models import Activity
from cmeconf.integrity import consent
from cmeconf.integrity.consent import ConsentField


class SharingForm(forms.Form):
    def __init__(self, *args, activity, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["share"] = ConsentField(activity)


def _activity(provider: str, activity: str) -> Activity:
    return get_object_or_404(
        Activity.objects.select_related("provider"),
        provider__slug=provider,
        slug=activity,
        state__in=PUBLIC_STATES,
    )


@login_required
@require_safe
def sharing(request: HttpRequest) -> HttpResponse:
    """Every consent the person gave, open or withdrawn, newest first."""
    rows = request.user.sharing_consents.select_related("activity__provider").order_by(
        "-given_at", "-id"
    )
    return render(request, "integrity/sharing/list.html", {"consents": rows})


@login_required
@never_cache
def sharing_activity(request: HttpRequest, provider: str, activity: str) -> HttpResponse:
    act = _activity(provider, activity)
    current = consent.open_consent(request.user, act)
    form = SharingForm(request.POST or None, activity=act)
    if request.method == "POST":
        if request.POST.get("action") == "withdraw":
            if consent.withdraw_consent(request.user, act):
                messages.success(request, _("Your details will no longer be shared."))
            return redirect("sharing:activity", provider=act.provider.slug, activity=act.slug)
        if form.is_valid():
            if form.cleaned_data["share"]:
                consent.give_consent(request.user, act, source="account")
                messages.success(request, _("Thank you: your consent is recorded."))
            else:
                messages.info(request, _("Nothing was shared: the box was not ticked."))
            return redirect("sharing:activity", provider=act.provider.slug, activity=act.slug)
    return render(
        request,
        "integrity/sharing/activity.html",
        {"activity": act, "current": current, "form": form},
    )
