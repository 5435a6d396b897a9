"""The reviewer's page: relevance, mitigation and exceptions for everyone in control of content.

Reviewers only (permission "review"). Everything shown comes from roster, review
and gate; every change goes through review.py, which checks the permission again.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST, require_safe

from cmeconf.activities.choices import NON_EDUCATIONAL_FORMATS
from cmeconf.activities.models import SessionFaculty
from cmeconf.integrity import forms_review, gate, review, roster
from cmeconf.integrity.choices import OWNER_EMPLOYEE_NATURES, DisclosureState
from cmeconf.integrity.models import FinancialRelationship, OwnerEmployeeException
from cmeconf.providers.access import staff_required
from cmeconf.providers.models import Provider
from cmeconf.providers.permissions import Permission

STATUS_LABELS = {
    review.Status.UNDECIDED: gettext_lazy("Not yet reviewed"),
    review.Status.NOT_RELEVANT: gettext_lazy("Not relevant"),
    review.Status.UNMITIGATED: gettext_lazy("Relevant, not mitigated"),
    review.Status.MITIGATED: gettext_lazy("Mitigated"),
}
OPEN = frozenset({review.Status.UNDECIDED, review.Status.UNMITIGATED})


@dataclass
class Item:
    """One relationship in scope, where it stands, and the forms that apply to it."""

    relationship: FinancialRelationship
    status: review.Status
    decision: object | None
    mitigations: list
    exceptions: list
    forms: dict = field(default_factory=dict)

    @property
    def status_label(self) -> str:
        return str(STATUS_LABELS[self.status])

    @property
    def is_open(self) -> bool:
        return self.status in OPEN


@dataclass
class Person:
    member: roster.Member
    sessions: list
    items: list[Item]


@dataclass
class Review:
    people: list[Person]
    without_relationships: int
    open_items: int


def build(activity) -> Review:
    """Everyone in control of content with relationships in scope, in a fixed number of queries."""
    people: list[Person] = []
    without = 0
    for m in roster.content_controllers(activity):
        d = m.disclosure
        if d is None or d.state != DisclosureState.SUBMITTED:
            continue  # nothing to review yet: the Disclosures tab chases them
        rels = m.relationships_in_scope()
        if not rels:
            without += 1
            continue
        items = [Item(r, review.Status.UNDECIDED, None, [], []) for r in rels]
        people.append(Person(member=m, sessions=[], items=items))
    all_rels = [i.relationship for p in people for i in p.items]
    decisions = review.latest_decisions(activity, all_rels)
    excepted: dict[int, list] = {}
    for exc in OwnerEmployeeException.objects.filter(
        activity=activity, relationship__in=all_rels
    ).order_by("recorded_at", "id"):
        excepted.setdefault(exc.relationship_id, []).append(exc)
    # The content each person controls: their sessions, in two queries for everyone.
    sessions: dict[int, list] = {}
    faculty = (
        SessionFaculty.objects.filter(
            session__activity=activity, person_id__in=[p.member.person.pk for p in people]
        )
        .exclude(session__format__in=NON_EDUCATIONAL_FORMATS)
        .select_related("session")
        .prefetch_related("session__topics")
        .order_by("session__start", "session__title", "id")
    )
    for f in faculty:
        mine = sessions.setdefault(f.person_id, [])
        if f.session not in mine:
            mine.append(f.session)
    open_items = 0
    for person in people:
        person.sessions = sessions.get(person.member.person.pk, [])
        for item in person.items:
            rel = item.relationship
            item.decision = decisions.get(rel.pk)
            item.mitigations = list(item.decision.mitigations.all()) if item.decision else []
            item.status = review.status(item.decision, item.mitigations)
            item.exceptions = excepted.get(rel.pk, [])
            open_items += item.is_open
    return Review(people=people, without_relationships=without, open_items=open_items)


def _forms(item: Item, bound: tuple[str, int, object] | None) -> dict:
    """The forms that apply to the relationship; the one just posted keeps its data and errors."""
    rel = item.relationship
    kinds = ["decide"]
    if item.decision is not None and item.decision.relevant:
        kinds.append("mitigate")
    if rel.nature in OWNER_EMPLOYEE_NATURES:
        kinds.append("exception")
    forms = {kind: forms_review.make(kind, rel.pk) for kind in kinds}
    if bound is not None and bound[1] == rel.pk:
        forms[bound[0]] = bound[2]
    return forms


def _page(request: HttpRequest, provider, activity, data: Review, bound=None, status=200):
    for person in data.people:
        for item in person.items:
            item.forms = _forms(item, bound)
    return render(
        request,
        "integrity/staff_review.html",
        {
            "provider": provider,
            "activity": activity,
            "perms": request.perms,
            "tab": "review",
            "review": data,
            "problems": gate.clearance_problems(activity),
        },
        status=status,
    )


@require_safe
@staff_required(Permission.REVIEW)
def coi_review(request: HttpRequest, provider: Provider, activity) -> HttpResponse:
    return _page(request, provider, activity, build(activity))


def _item(data: Review, relationship: int) -> Item:
    """The relationship, if it belongs to someone in control of this activity's content."""
    for person in data.people:
        for item in person.items:
            if item.relationship.pk == relationship:
                return item
    raise Http404(_("No such relationship in this activity."))


def _post(request: HttpRequest, provider, activity, relationship: int, kind: str, apply):
    data = build(activity)
    item = _item(data, relationship)
    form = forms_review.make(kind, relationship, request.POST)
    if form.is_valid():
        try:
            message = apply(item, form.cleaned_data)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, message)
            return redirect("staff:coi_review", provider.slug, activity.slug)
    return _page(request, provider, activity, data, bound=(kind, relationship, form), status=400)


def _name(item: Item) -> dict:
    rel = item.relationship
    return {"company": rel.company.name, "nature": rel.get_nature_display()}


@require_POST
@staff_required(Permission.REVIEW)
def coi_decide(
    request: HttpRequest, provider: Provider, activity, relationship: int
) -> HttpResponse:
    def apply(item: Item, cleaned: dict) -> str:
        review.decide_relevance(
            activity,
            item.relationship,
            reviewer=request.user,
            relevant=cleaned["relevant"],
            reason=cleaned["reason"],
        )
        return _("Decision recorded on %(company)s (%(nature)s).") % _name(item)

    return _post(request, provider, activity, relationship, "decide", apply)


@require_POST
@staff_required(Permission.REVIEW)
def coi_mitigate(
    request: HttpRequest, provider: Provider, activity, relationship: int
) -> HttpResponse:
    def apply(item: Item, cleaned: dict) -> str:
        if item.decision is None:
            raise ValidationError(
                {"method": _("Decide first whether the relationship is relevant.")}
            )
        review.mitigate(
            item.decision,
            by=request.user,
            method=cleaned["method"],
            details=cleaned["details"],
            peer_name=cleaned["peer_name"],
            peer_review_date=cleaned["peer_review_date"],
        )
        return _("Mitigation recorded on %(company)s (%(nature)s).") % _name(item)

    return _post(request, provider, activity, relationship, "mitigate", apply)


@require_POST
@staff_required(Permission.REVIEW)
def coi_exception(
    request: HttpRequest, provider: Provider, activity, relationship: int
) -> HttpResponse:
    def apply(item: Item, cleaned: dict) -> str:
        review.record_exception(
            activity,
            item.relationship,
            reviewer=request.user,
            exception=cleaned["exception"],
            reason=cleaned["reason"],
        )
        return _("Exception recorded on %(company)s (%(nature)s).") % _name(item)

    return _post(request, provider, activity, relationship, "exception", apply)
