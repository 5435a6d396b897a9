"""One permission matrix over every API endpoint: (who, method, url, expected status).

Two providers whose activities share slugs, a draft (hidden) and a published
activity, a team limited to another activity, and one member per permission.
A hidden activity answers 404 to everyone outside its teams, as if it did not
exist; a visible one answers 401 without credentials and 403 without the
permission.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import transaction
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from cmeconf.accounts.models import User
from cmeconf.activities.choices import ActivityState
from cmeconf.providers.permissions import ALL_PERMISSIONS
from tests.factories import (
    ActivityFactory,
    ProviderFactory,
    RoomFactory,
    SessionFactory,
    SessionFacultyFactory,
    TeamFactory,
    TrackFactory,
    UserFactory,
)
from tests.licensure.factories import (
    BoardCertificationFactory,
    ExternalCreditFactory,
    LicenceFactory,
)

PERMS = ("program", "registration", "review", "credit", "reports", "teams")
PEOPLE = ("anonymous", "learner", "other_admin", "limited", *PERMS)
OUTSIDERS = ("learner", "other_admin", "limited")


def policy(*, allowed: int, anonymous: int, outsiders: int, lacking: int, perms=()) -> dict:
    """Expected status per person: `perms` get `allowed`, the other members `lacking`."""
    expected = {"anonymous": anonymous}
    expected |= {who: outsiders for who in OUTSIDERS}
    expected |= {p: allowed if (p in perms or perms == "any") else lacking for p in PERMS}
    return expected


def everyone(status: int) -> dict:
    return dict.fromkeys(PEOPLE, status)


# What each kind of endpoint answers, on a hidden (draft) and on a published activity.
HIDDEN_READ = policy(allowed=200, anonymous=404, outsiders=404, lacking=200, perms="any")
PUBLIC_READ = everyone(200)
PUBLIC_MEMBER_READ = policy(allowed=200, anonymous=401, outsiders=403, lacking=200, perms="any")


def hidden_write(ok: int, perm: str = "program") -> dict:
    return policy(allowed=ok, anonymous=401, outsiders=404, lacking=403, perms=(perm,))


def public_write(ok: int, perm: str = "program") -> dict:
    return policy(allowed=ok, anonymous=401, outsiders=403, lacking=403, perms=(perm,))


A = "/api/v1/providers/acp/activities/draft-2027"  # hidden
P = "/api/v1/providers/acp/activities/annual-2027"  # published
R = "/api/v1/providers/acp/activities/review-2027"  # in review, hidden
SESSION = {"title": "Added", "format": "lecture"}
FACULTY = {"email": "newcomer@example.org", "first_name": "New", "last_name": "Comer"}
MOVE = {"start": "2027-04-14T11:00:00-04:00"}
# The published activity is approved: each write to its program is an amendment with a reason.
WHY = {"reason": "Changed after publication"}

# Integrity and independence (disclosures, review, commercial support, the planning file).
# Pages open to one of several permissions; the API answers the same way.
ROSTER = ("review", "program")
SUPPORT_READ = ("program", "review", "reports")
FILE = ("reports", "review")


def hidden_read(*perms) -> dict:
    return policy(allowed=200, anonymous=404, outsiders=404, lacking=403, perms=perms)


def public_read(*perms) -> dict:
    return policy(allowed=200, anonymous=401, outsiders=403, lacking=403, perms=perms)


def some_write(ok: int, *perms, hidden: bool = True) -> dict:
    outsiders = 404 if hidden else 403
    return policy(allowed=ok, anonymous=401, outsiders=outsiders, lacking=403, perms=perms)


# Adding to the registry of companies: reviewers of any provider or activity.
COMPANY_WRITE = everyone(403) | {"anonymous": 401, "other_admin": 201, "limited": 201,
                                 "review": 201}  # fmt: skip
MY = everyone(200) | {"anonymous": 401}
AGREEMENT = {"supporter": "{supporter}", "kind": "cash", "purpose": "Venue.", "terms": "Ours.",
             "amount": "5000"}  # fmt: skip
EXPENSE = {"kind": "expense", "date": "2026-01-05", "amount": "100", "category": "venue"}
SIGN = {"party": "provider", "signatory": "Dr. Chair", "signed_on": "2026-01-05"}
DECIDE = {"relevant": True, "reason": "Same drug class."}
INTEGRITY_MATRIX = [
    ("get", "/api/v1/companies/?q=pharma", None, MY),
    ("post", "/api/v1/companies/", {"name": "Newco Rx", "kind": "pbm"}, COMPANY_WRITE),
    ("post", "/api/v1/companies/import/", {"csv": "name,kind\nImportco,pbm\n"},
     COMPANY_WRITE | {"other_admin": 200, "limited": 200, "review": 200}),
    ("get", "/api/v1/me/disclosure/", None, MY),
    ("post", "/api/v1/me/disclosure/", {"relationships": [], "attested": True},
     everyone(201) | {"anonymous": 401}),
    ("post", "/api/v1/me/disclosure/refuse/", {"confirm": True},
     everyone(201) | {"anonymous": 401}),
    ("get", "/api/v1/me/consents/", None, MY),
    ("get", "/api/v1/me/consents/acp/annual-2027/", None, MY),
    ("put", "/api/v1/me/consents/acp/annual-2027/", None, MY),
    ("delete", "/api/v1/me/consents/acp/annual-2027/", None, everyone(204) | {"anonymous": 401}),
    ("put", "/api/v1/me/consents/acp/draft-2027/", None,
     hidden_read(*PERMS) | {"anonymous": 401}),
    ("get", "/api/v1/providers/acp/supporters/", None,
     policy(allowed=200, anonymous=401, outsiders=404, lacking=403, perms=SUPPORT_READ)
     | {"limited": 200}),
    ("post", "/api/v1/providers/acp/supporters/", {"company": "{company}"},
     policy(allowed=201, anonymous=401, outsiders=404, lacking=403, perms=("program",))
     | {"limited": 201}),
    ("get", "/api/v1/providers/bsoc/supporters/", None,
     everyone(404) | {"anonymous": 401, "other_admin": 200}),
    # A hidden activity.
    ("get", f"{A}/disclosures/", None, hidden_read(*ROSTER)),
    ("post", f"{A}/disclosures/invitations/", None, some_write(200, *ROSTER)),
    ("get", f"{A}/review/", None, hidden_read("review")),
    ("post", f"{A}/review/relationships/{{rel}}/decision/", DECIDE, some_write(201, "review")),
    ("post", f"{A}/review/relationships/{{rel}}/mitigations/", {"method": "attest"},
     some_write(201, "review")),
    ("post", f"{A}/review/relationships/{{rel_emp}}/exception/",
     {"exception": "unrelated", "reason": "Other business line."}, some_write(201, "review")),
    ("get", f"{A}/learner-disclosure/", None, HIDDEN_READ),
    ("get", f"{A}/agreements/", None, hidden_read(*SUPPORT_READ)),
    ("post", f"{A}/agreements/", AGREEMENT, some_write(201, "program")),
    ("get", f"{A}/agreements/{{agreement}}/", None, hidden_read(*SUPPORT_READ)),
    ("patch", f"{A}/agreements/{{agreement}}/", {"reference": "R-2"}, some_write(200, "program")),
    ("post", f"{A}/agreements/{{agreement}}/sign/", SIGN, some_write(200, "program")),
    ("get", f"{A}/ledger/", None, hidden_read(*SUPPORT_READ)),
    ("post", f"{A}/ledger/", EXPENSE, some_write(201, "program")),
    ("post", f"{A}/ledger/{{entry}}/void/", {"reason": "Typo."}, some_write(200, "program")),
    ("get", f"{A}/support-report/", None, hidden_read(*SUPPORT_READ)),
    ("get", f"{A}/checklist/", None, HIDDEN_READ),
    ("get", f"{A}/comments/", None, hidden_read(*ROSTER)),
    ("post", f"{R}/comments/", {"body": "Name the gap's sources."}, some_write(201, *ROSTER)),
    ("post", f"{R}/comments/{{comment}}/resolve/", None, some_write(200, *ROSTER)),
    ("get", f"{A}/amendments/", None, HIDDEN_READ),
    ("get", f"{A}/activity-file/", None, hidden_read(*FILE)),
    # A published activity: nobody outside its teams reads a disclosure under review.
    ("get", f"{P}/disclosures/", None, public_read(*ROSTER)),
    ("get", f"{P}/review/", None, public_read("review")),
    ("post", f"{P}/review/relationships/{{p_rel}}/decision/", DECIDE,
     some_write(201, "review", hidden=False)),
    ("get", f"{P}/learner-disclosure/", None, PUBLIC_READ),
    ("get", f"{P}/agreements/", None, public_read(*SUPPORT_READ)),
    ("post", f"{P}/ledger/", EXPENSE, some_write(201, "program", hidden=False)),
    ("get", f"{P}/support-report/", None, public_read(*SUPPORT_READ)),
    ("get", f"{P}/checklist/", None, PUBLIC_MEMBER_READ),
    ("get", f"{P}/comments/", None, public_read(*ROSTER)),
    ("get", f"{P}/amendments/", None, PUBLIC_MEMBER_READ),
    ("get", f"{P}/activity-file/", None, public_read(*FILE)),
    # The other provider's records through this provider's URLs: never found.
    ("post", f"{P}/review/relationships/{{b_rel}}/decision/", DECIDE,
     some_write(404, "review", hidden=False)),
    ("get", f"{P}/agreements/{{b_agreement}}/", None,
     policy(allowed=404, anonymous=401, outsiders=403, lacking=403, perms=SUPPORT_READ)),
    ("post", f"{P}/ledger/{{b_entry}}/void/", {"reason": "Typo."},
     some_write(404, "program", hidden=False)),
]  # fmt: skip

# (method, url, body, expected status by person). {room}, {track}, {session}, {speaker} and
# the b_ variants (objects of the other provider) are filled in from the data below.
MATRIX = [
    ("get", "/api/v1/providers/", None,
     everyone(200) | {"anonymous": 401}),
    ("get", "/api/v1/providers/acp/", None,
     policy(allowed=200, anonymous=401, outsiders=404, lacking=200, perms="any")
     | {"limited": 200}),
    ("get", "/api/v1/providers/nobody/", None, everyone(404) | {"anonymous": 401}),
    ("get", "/api/v1/providers/acp/activities/", None, everyone(200)),
    ("post", "/api/v1/providers/acp/activities/",
     {"slug": "new-2028", "title": "New", "kind": "course",
      "start_date": "2028-01-10", "end_date": "2028-01-10"},
     public_write(201)),
    ("get", "/api/v1/topics/", None, everyone(200)),
    ("get", "/api/v1/schema/", None, everyone(200)),
    # A hidden activity and everything under it.
    ("get", f"{A}/", None, HIDDEN_READ),
    ("patch", f"{A}/", {"title": "Renamed"}, hidden_write(200)),
    ("post", f"{A}/transitions/start_planning/", {}, hidden_write(200)),
    ("post", f"{R}/transitions/approve/", {}, hidden_write(200, "review")),
    ("post", f"{R}/transitions/return_to_planning/", {}, hidden_write(200, "review")),
    ("post", f"{A}/transitions/no_such_step/", {}, hidden_write(404) | {"program": 404}
     | dict.fromkeys(PERMS, 404)),
    ("get", f"{A}/planning/", None, HIDDEN_READ),
    ("patch", f"{A}/planning/", {"practice_gap": "Too few statins."}, hidden_write(200)),
    ("get", f"{A}/rooms/", None, HIDDEN_READ),
    ("post", f"{A}/rooms/", {"name": "Annex"}, hidden_write(201)),
    ("get", f"{A}/rooms/{{room}}/", None, HIDDEN_READ),
    ("patch", f"{A}/rooms/{{room}}/", {"name": "Annex"}, hidden_write(200)),
    ("delete", f"{A}/rooms/{{room}}/", None, hidden_write(204)),
    ("get", f"{A}/tracks/", None, HIDDEN_READ),
    ("post", f"{A}/tracks/", {"name": "Oncology"}, hidden_write(201)),
    ("get", f"{A}/tracks/{{track}}/", None, HIDDEN_READ),
    ("patch", f"{A}/tracks/{{track}}/", {"color": "#112233"}, hidden_write(200)),
    ("delete", f"{A}/tracks/{{track}}/", None, hidden_write(204)),
    ("get", f"{A}/sessions/", None, HIDDEN_READ),
    ("post", f"{A}/sessions/", SESSION, hidden_write(201)),
    ("get", f"{A}/sessions/{{session}}/", None, HIDDEN_READ),
    ("patch", f"{A}/sessions/{{session}}/", {"title": "Renamed"}, hidden_write(200)),
    ("delete", f"{A}/sessions/{{session}}/", None, hidden_write(204)),
    ("post", f"{A}/sessions/{{session}}/move/", MOVE, hidden_write(200)),
    ("post", f"{A}/sessions/{{session}}/faculty/", FACULTY, hidden_write(201)),
    ("delete", f"{A}/sessions/{{session}}/faculty/?email={{speaker}}", None, hidden_write(204)),
    ("get", f"{A}/faculty/", None, HIDDEN_READ),
    ("get", f"{A}/schedule/", None, HIDDEN_READ),
    ("get", f"{A}/warnings/", None, HIDDEN_READ),
    # A published activity: readable by all, writable by the program permission.
    ("get", f"{P}/", None, PUBLIC_READ),
    ("patch", f"{P}/", {"title": "Renamed", **WHY}, public_write(200)),
    ("post", f"{P}/transitions/complete/", {}, public_write(400)),  # blocked: not over yet
    ("get", f"{P}/planning/", None, PUBLIC_MEMBER_READ),
    ("patch", f"{P}/planning/", {"objectives": ["Treat"], **WHY}, public_write(200)),
    ("get", f"{P}/rooms/", None, PUBLIC_READ),
    ("post", f"{P}/rooms/", {"name": "Annex", **WHY}, public_write(201)),
    ("get", f"{P}/rooms/{{p_room}}/", None, PUBLIC_READ),
    ("patch", f"{P}/rooms/{{p_room}}/", {"capacity": 10, **WHY}, public_write(200)),
    ("delete", f"{P}/rooms/{{p_room}}/?reason=Closed", None, public_write(204)),
    ("get", f"{P}/tracks/", None, PUBLIC_READ),
    ("post", f"{P}/tracks/", {"name": "Oncology", **WHY}, public_write(201)),
    ("patch", f"{P}/tracks/{{p_track}}/", {"name": "Oncology", **WHY}, public_write(200)),
    ("delete", f"{P}/tracks/{{p_track}}/?reason=Merged", None, public_write(204)),
    ("get", f"{P}/sessions/", None, PUBLIC_READ),
    ("post", f"{P}/sessions/", SESSION | WHY, public_write(201)),
    ("get", f"{P}/sessions/{{p_session}}/", None, PUBLIC_READ),
    ("patch", f"{P}/sessions/{{p_session}}/", {"title": "Renamed", **WHY}, public_write(200)),
    ("delete", f"{P}/sessions/{{p_session}}/?reason=Cancelled", None, public_write(204)),
    ("post", f"{P}/sessions/{{p_session}}/move/", MOVE | WHY, public_write(200)),
    ("post", f"{P}/sessions/{{p_session}}/faculty/", FACULTY | WHY, public_write(201)),
    ("delete", f"{P}/sessions/{{p_session}}/faculty/?email={{p_speaker}}&reason=Ill", None,
     public_write(204)),
    ("get", f"{P}/faculty/", None, PUBLIC_READ),
    ("get", f"{P}/schedule/", None, PUBLIC_READ),
    ("get", f"{P}/warnings/", None, PUBLIC_MEMBER_READ),
    # The activity the limited team covers: hidden from everyone else outside the teams.
    ("get", "/api/v1/providers/acp/activities/other-2027/", None,
     HIDDEN_READ | {"limited": 200}),
    ("patch", "/api/v1/providers/acp/activities/other-2027/", {"title": "Renamed"},
     hidden_write(200) | {"limited": 200}),
    # The other provider's objects, reached through this provider's URLs: never found.
    ("get", f"{P}/sessions/{{b_session}}/", None, everyone(404)),
    ("patch", f"{P}/sessions/{{b_session}}/", {"title": "Stolen"}, public_write(404)),
    ("get", f"{P}/rooms/{{b_room}}/", None, everyone(404)),
    ("delete", f"{P}/rooms/{{b_room}}/", None, public_write(404)),
    ("get", "/api/v1/providers/bsoc/activities/draft-2027/", None,
     everyone(404) | {"other_admin": 200}),
    ("get", "/api/v1/providers/bsoc/activities/annual-2027/planning/", None,
     everyone(403) | {"anonymous": 401, "other_admin": 200}),
    *INTEGRITY_MATRIX,
]  # fmt: skip


@pytest.fixture
def world(db):
    acp = ProviderFactory(slug="acp")
    bsoc = ProviderFactory(slug="bsoc")
    hidden = ActivityFactory(provider=acp, slug="draft-2027", state=ActivityState.DRAFT)
    public = ActivityFactory(provider=acp, slug="annual-2027", state=ActivityState.PUBLISHED)
    in_review = ActivityFactory(provider=acp, slug="review-2027", state=ActivityState.IN_REVIEW)
    other = ActivityFactory(provider=acp, slug="other-2027", state=ActivityState.DRAFT)
    # The other provider uses the same slugs, with data of its own.
    b_public = ActivityFactory(provider=bsoc, slug="annual-2027", state=ActivityState.PUBLISHED)
    ActivityFactory(provider=bsoc, slug="draft-2027", state=ActivityState.DRAFT)

    ids = {}
    for prefix, activity in (("", hidden), ("p_", public), ("b_", b_public)):
        room = RoomFactory(activity=activity)
        track = TrackFactory(activity=activity)
        session = SessionFactory(activity=activity, room=room, track=track)
        speaker = UserFactory()
        SessionFacultyFactory(session=session, person=speaker)
        ids |= {
            f"{prefix}room": room.pk,
            f"{prefix}track": track.pk,
            f"{prefix}session": session.code,
            f"{prefix}speaker": speaker.email,
        }

    people = {"anonymous": None, "learner": UserFactory()}
    people["other_admin"] = UserFactory()
    TeamFactory(provider=bsoc, members=[people["other_admin"]])
    people["limited"] = UserFactory()
    TeamFactory(
        provider=acp,
        all_activities=False,
        activities=[other],
        permissions=sorted(ALL_PERMISSIONS),
        members=[people["limited"]],
    )
    for perm in PERMS:
        people[perm] = UserFactory()
        TeamFactory(provider=acp, name=f"{perm} team", permissions=[perm], members=[people[perm]])
    ids |= _integrity_records(people, ids, hidden, public, in_review, b_public)
    return people, ids


def _integrity_records(people, ids, hidden, public, in_review, b_public) -> dict:
    """Disclosures of each activity's speaker, support records and a review comment."""
    from cmeconf.activities.services import planning_review
    from cmeconf.integrity import review, services, support
    from tests.factories import IneligibleCompanyFactory

    made = {"company": IneligibleCompanyFactory(name="Matrix Pharma").name}
    for prefix, activity, by in (
        ("", hidden, people["program"]),
        ("p_", public, people["program"]),
        ("b_", b_public, people["other_admin"]),
    ):
        speaker = User.objects.get(email=ids[f"{prefix}speaker"])
        disclosure = services.submit_disclosure(
            speaker, by=speaker, attested=True,
            relationships=[
                {"company": IneligibleCompanyFactory(), "nature": nature,
                 "start_date": dt.date(2024, 1, 1), "end_date": None}
                for nature in ("consultant", "employee")
            ],
        )  # fmt: skip
        rel, rel_emp = disclosure.relationships.order_by("nature")
        supporter = support.add_supporter(
            activity.provider, company=IneligibleCompanyFactory(), by=by
        )
        agreement = support.create_agreement(
            activity, by=by, supporter=supporter, kind="cash", purpose="Venue.",
            terms="Ours.", amount="5000",
        )  # fmt: skip
        entry = support.record_entry(
            activity, by=by, kind="expense", date=dt.date(2026, 1, 5), amount="100",
            category="venue",
        )  # fmt: skip
        if activity == hidden:  # relevant, so that it may be mitigated
            review.decide_relevance(
                activity, rel, reviewer=people["review"], relevant=True, reason="Same class."
            )
        made |= {
            f"{prefix}rel": rel.pk,
            f"{prefix}rel_emp": rel_emp.pk,
            f"{prefix}supporter": supporter.pk,
            f"{prefix}agreement": agreement.pk,
            f"{prefix}entry": entry.pk,
        }
    made["comment"] = planning_review.add_comment(in_review, by=people["review"], body="Gap?").pk
    return made


@pytest.mark.parametrize(
    ("method", "url", "body", "expected"),
    [pytest.param(*row, id=f"{row[0]}-{row[1]}") for row in MATRIX],
)
def test_permission_matrix(world, method, url, body, expected):
    people, ids = world
    url = url.format(**ids)
    if isinstance(body, dict):
        # Ids of objects made for the matrix, e.g. {"supporter": "{supporter}"}.
        body = {k: v.format(**ids) if isinstance(v, str) else v for k, v in body.items()}
    wrong = {}
    for who in PEOPLE:
        # Each person meets the same data: whatever a request changed is rolled back.
        savepoint = transaction.savepoint()
        client = APIClient()
        if people[who] is not None:
            # Token authentication, as integrations use the API.
            token = Token.objects.create(user=people[who])
            client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
        response = getattr(client, method)(url, body, format="json")
        status = response.status_code
        if status != expected[who]:
            wrong[who] = (expected[who], status, response.content[:200])
        elif status in (401, 403, 404):
            # Refusals explain themselves and leak nothing else.
            body_keys = set(response.json())
            if body_keys != {"detail"}:
                wrong[who] = ("only detail", body_keys)
        transaction.savepoint_rollback(savepoint)
    assert wrong == {}


def test_matrix_covers_every_api_url():
    """An endpoint added later must join the table."""
    import re

    from django.urls import resolve

    from cmeconf.api import urls

    def names(patterns):
        for p in patterns:
            if hasattr(p, "url_patterns"):
                yield from names(p.url_patterns)
            else:
                yield p.name

    from tests.api import test_permissions_credits, test_permissions_evaluations

    rows = MATRIX + test_permissions_credits.MATRIX + test_permissions_evaluations.MATRIX
    covered = set()
    for _method, url, _body, _expected in rows:
        path = re.sub(r"\{\{?\w+\}?\}", "1", url).split("?")[0]
        covered.add(resolve(path).url_name)
    assert set(names(urls.urlpatterns)) - covered == set()


# registration and attendance
# Their rows need registrations, sessions with seats and attendance: a world of their own
# (the one above, plus these records), checked person by person as test_permission_matrix does.
REG_READ = ("registration",)
ATTENDANCE_READ = ("registration", "credit", "reports")
NOT_MINE = everyone(404) | {"anonymous": 401}  # the learner's own, for everyone else
ADJUST = {"email": "{registrant}", "start": "2027-04-14T09:00", "end": "2027-04-14T09:30",
          "reason": "Scanner down"}  # fmt: skip
GROUP = {"name": "Dept.", "people": [{"email": "grouped@example.org",
                                      "registration_type": "paid"}]}  # fmt: skip
REGISTRATION_MATRIX = [
    # The caller's own registration: nothing in the URL names anyone else's.
    ("get", f"{P}/registration/options/", None, PUBLIC_READ),
    ("get", f"{P}/registration/", None, NOT_MINE | {"learner": 200}),
    ("post", f"{P}/registration/", {"registration_type": "free"},
     everyone(201) | {"anonymous": 401, "learner": 400}),
    ("put", f"{P}/registration/identifiers/", {"credit_types": []}, NOT_MINE | {"learner": 200}),
    ("post", f"{P}/registration/cancel/", None, NOT_MINE | {"learner": 200}),
    ("post", f"{P}/registration/accept/", None, NOT_MINE | {"learner": 400}),
    ("post", f"{P}/registration/decline/", None, NOT_MINE | {"learner": 400}),
    ("post", f"{P}/registration/workshops/{{p_workshop}}/", None, NOT_MINE | {"learner": 400}),
    ("delete", f"{P}/registration/workshops/{{p_workshop}}/", None, NOT_MINE | {"learner": 204}),
    ("post", f"{P}/registration/workshops/{{p_workshop}}/accept/", None,
     NOT_MINE | {"learner": 400}),
    ("post", f"{P}/registration/workshops/{{p_workshop}}/decline/", None,
     NOT_MINE | {"learner": 400}),
    ("get", f"{A}/registration/options/", None, HIDDEN_READ),
    ("post", f"{A}/registration/", {"registration_type": "free"},
     policy(allowed=201, anonymous=401, outsiders=404, lacking=201, perms="any")),
    # Registration staff, on a hidden activity.
    ("get", f"{A}/registrants/", None, hidden_read(*REG_READ)),
    ("get", f"{A}/registrants/{{reg}}/", None, hidden_read(*REG_READ)),
    ("post", f"{A}/registrants/{{reg}}/payments/", {"method": "invoice", "amount": "10"},
     some_write(201, "registration")),
    ("put", f"{A}/registrants/{{reg}}/identifiers/", {"credit_types": []},
     some_write(200, "registration")),
    ("post", f"{A}/registrants/{{reg}}/cancel/", {"reason": "Asked to."},
     some_write(200, "registration")),
    ("post", f"{A}/groups/", GROUP, some_write(201, "registration")),
    ("get", f"{A}/registration-setup/", None, hidden_read(*REG_READ)),
    ("patch", f"{A}/registration-setup/", {"capacity": 90}, some_write(200, "registration")),
    ("get", f"{A}/registration-types/", None, hidden_read(*REG_READ)),
    ("post", f"{A}/registration-types/", {"code": "new", "name": "New"},
     some_write(201, "registration")),
    ("get", f"{A}/registration-types/{{reg_type}}/", None, hidden_read(*REG_READ)),
    ("patch", f"{A}/registration-types/{{reg_type}}/", {"name": "Renamed"},
     some_write(200, "registration")),
    ("delete", f"{A}/registration-types/{{spare_type}}/", None, some_write(204, "registration")),
    ("post", f"{A}/registration-types/{{reg_type}}/prices/", {"label": "Late", "amount": "9",
     "available_until": "2027-04-01T00:00"}, some_write(201, "registration")),
    ("delete", f"{A}/registration-types/{{reg_type}}/prices/{{tier}}/", None,
     some_write(204, "registration")),
    ("get", f"{A}/promo-codes/", None, hidden_read(*REG_READ)),
    ("post", f"{A}/promo-codes/", {"code": "NEW5", "percent_off": 5},
     some_write(201, "registration")),
    ("get", f"{A}/promo-codes/{{promo}}/", None, hidden_read(*REG_READ)),
    ("patch", f"{A}/promo-codes/{{promo}}/", {"is_active": False},
     some_write(200, "registration")),
    ("delete", f"{A}/promo-codes/{{promo}}/", None, some_write(204, "registration")),
    ("get", f"{A}/registration-questions/", None, hidden_read(*REG_READ)),
    ("post", f"{A}/registration-questions/", {"label": "Diet?", "kind": "text"},
     some_write(201, "registration")),
    ("get", f"{A}/registration-questions/{{question}}/", None, hidden_read(*REG_READ)),
    ("delete", f"{A}/registration-questions/{{question}}/", None,
     some_write(204, "registration")),
    # Attendance: read by registration, credit or reports; changed by registration.
    ("get", f"{A}/sessions/{{session}}/attendance/", None, hidden_read(*ATTENDANCE_READ)),
    ("get", f"{A}/sessions/{{session}}/attendance/imports/", None,
     hidden_read(*ATTENDANCE_READ)),
    # A report comes as multipart/form-data: JSON reaches the parser only when allowed.
    ("post", f"{A}/sessions/{{session}}/attendance/imports/", {"source": "zoom"},
     some_write(415, "registration")),
    ("post", f"{A}/sessions/{{session}}/attendance/adjustments/", ADJUST,
     some_write(201, "registration")),
    ("post", f"{A}/attendance/intervals/{{interval}}/void/", {"reason": "Wrong badge."},
     some_write(200, "registration")),
    # A published activity: its staff records stay with its teams.
    ("get", f"{P}/registrants/", None, public_read(*REG_READ)),
    ("post", f"{P}/registrants/{{p_reg}}/cancel/", {"reason": "Asked to."},
     some_write(200, "registration", hidden=False)),
    ("get", f"{P}/promo-codes/", None, public_read(*REG_READ)),
    ("get", f"{P}/sessions/{{p_session}}/attendance/", None, public_read(*ATTENDANCE_READ)),
    # The other provider's records through this provider's URLs: never found.
    ("get", f"{P}/registrants/{{b_reg}}/", None,
     policy(allowed=404, anonymous=401, outsiders=403, lacking=403, perms=REG_READ)),
    ("patch", f"{P}/registration-types/{{b_reg_type}}/", {"name": "Stolen"},
     some_write(404, "registration", hidden=False)),
    ("post", f"{P}/attendance/intervals/{{b_interval}}/void/", {"reason": "x"},
     some_write(404, "registration", hidden=False)),
]  # fmt: skip
# Parametrised above already: adding them now only makes the coverage test count them.
MATRIX.extend(REGISTRATION_MATRIX)


@pytest.fixture
def registration_world(world):
    """Registration set up on each activity, a registrant, a workshop and attendance."""
    from cmeconf.activities.models import Activity, Session
    from cmeconf.attendance.services import add_adjustment
    from cmeconf.registration import services
    from tests.factories import at
    from tests.registration.factories import (
        PriceTierFactory,
        PromoCodeFactory,
        QuestionFactory,
        RegistrationSetupFactory,
        RegistrationTypeFactory,
    )

    people, ids = world
    ids = dict(ids)
    for prefix, provider, slug in (("", "acp", "draft-2027"), ("p_", "acp", "annual-2027"),
                                   ("b_", "bsoc", "annual-2027")):  # fmt: skip
        activity = Activity.objects.get(provider__slug=provider, slug=slug)
        desk = people["other_admin" if provider == "bsoc" else "registration"]
        RegistrationSetupFactory(activity=activity)
        free = RegistrationTypeFactory(activity=activity, code="free", name="Free")
        paid = RegistrationTypeFactory(activity=activity, code="paid", name="Paid")
        tier = PriceTierFactory(registration_type=paid, amount="100")
        spare = RegistrationTypeFactory(activity=activity, code="spare", name="Spare")
        registrant = UserFactory()
        reg = services.register(activity, registrant, registration_type=paid, by=registrant)
        session = Session.objects.get(code=ids[f"{prefix}session"])
        interval = add_adjustment(
            session, registrant, start=at(session.start.date(), 9),
            end=at(session.start.date(), 9, 30), reason="Scanner down", by=desk,
        )  # fmt: skip
        ids |= {
            f"{prefix}reg": reg.pk,
            f"{prefix}reg_type": paid.pk,
            f"{prefix}spare_type": spare.pk,
            f"{prefix}tier": tier.pk,
            f"{prefix}promo": PromoCodeFactory(activity=activity, percent_off=10).pk,
            f"{prefix}question": QuestionFactory(activity=activity).pk,
            f"{prefix}interval": interval.pk,
        }
        if prefix == "":
            ids["registrant"] = registrant.email
            UserFactory(email="grouped@example.org")
        if prefix == "p_":
            workshop = SessionFactory(activity=activity, capacity=5)
            mine = services.register(activity, people["learner"], registration_type=free,
                                     by=people["learner"])  # fmt: skip
            services.sign_up(mine, workshop, by=people["learner"])
            ids["p_workshop"] = workshop.code
    return people, ids


@pytest.mark.parametrize(
    ("method", "url", "body", "expected"),
    [pytest.param(*row, id=f"{row[0]}-{row[1]}") for row in REGISTRATION_MATRIX],
)
def test_registration_permission_matrix(registration_world, method, url, body, expected):
    test_permission_matrix(registration_world, method, url, body, expected)


# check-in
# Scanner devices: everything needs the registration permission, reading too. Scans are
# checked against the clock, so these rows run on the conference's first morning.
SCAN = {"token": "not-a-badge", "kind": "entry"}
CHECKIN_MATRIX = [
    ("get", f"{A}/scans/", None, hidden_read("registration")),
    ("post", f"{A}/scans/", SCAN, some_write(201, "registration")),
    ("post", f"{A}/scans/batch/", [SCAN | {"idempotency_key": "k1"}],
     some_write(200, "registration")),
    ("get", f"{A}/checkin/counts/", None, hidden_read("registration")),
    ("get", f"{A}/checkin/search/?q=a", None, hidden_read("registration")),
    ("get", f"{P}/scans/", None, public_read("registration")),
    ("post", f"{P}/scans/", SCAN, some_write(201, "registration", hidden=False)),
    ("post", f"{P}/scans/batch/", [SCAN | {"idempotency_key": "k1"}],
     some_write(200, "registration", hidden=False)),
    ("get", f"{P}/checkin/counts/", None, public_read("registration")),
    ("get", f"{P}/checkin/search/?q=a", None, public_read("registration")),
    # The other provider's registrant through this provider's URL: not found.
    ("post", f"{P}/scans/", {"registration": "{b_reg}", "kind": "entry", "method": "search"},
     some_write(400, "registration", hidden=False)),
]  # fmt: skip
MATRIX.extend(CHECKIN_MATRIX)


@pytest.mark.parametrize(
    ("method", "url", "body", "expected"),
    [pytest.param(*row, id=f"{row[0]}-{row[1]}") for row in CHECKIN_MATRIX],
)
def test_checkin_permission_matrix(registration_world, monkeypatch, method, url, body, expected):
    from django.utils import timezone

    monkeypatch.setattr(timezone, "now", lambda: dt.datetime(2027, 4, 14, 13, 30, tzinfo=dt.UTC))
    test_permission_matrix(registration_world, method, url, body, expected)


# licensure
# Requirement sets are public; a person's licences, certifications and credits are theirs
# alone (everyone else: 404); an activity's audience needs are for registration or reports.
LICENCE = {"requirement_set": "US-CA-MD", "license_type": "MD", "birth_month": 7}
CREDIT = {"title": "Ethics", "completed_on": "2025-01-10", "amounts": {"AMA_PRA_1": "1"}}
ANYONE_SIGNED_IN = everyone(201) | {"anonymous": 401}
LEARNERS_OWN = NOT_MINE | {"learner": 200}
NEEDS = ("registration", "reports")
LICENSURE_MATRIX = [
    ("get", "/api/v1/requirement-sets/", None, PUBLIC_READ),
    ("get", "/api/v1/requirement-sets/US-CA-MD/", None, PUBLIC_READ),
    ("get", "/api/v1/me/licences/", None, MY),
    ("post", "/api/v1/me/licences/", LICENCE, ANYONE_SIGNED_IN),
    ("get", "/api/v1/me/licences/{licence}/", None, LEARNERS_OWN),
    ("patch", "/api/v1/me/licences/{licence}/", {"number": "A1"}, LEARNERS_OWN),
    ("delete", "/api/v1/me/licences/{licence}/", None, NOT_MINE | {"learner": 204}),
    ("get", "/api/v1/me/board-certifications/", None, MY),
    ("post", "/api/v1/me/board-certifications/", {"board": "ABIM", "specialty": "IM"},
     ANYONE_SIGNED_IN),
    ("get", "/api/v1/me/board-certifications/{certification}/", None, LEARNERS_OWN),
    ("patch", "/api/v1/me/board-certifications/{certification}/", {"in_moc": True},
     LEARNERS_OWN),
    ("delete", "/api/v1/me/board-certifications/{certification}/", None,
     NOT_MINE | {"learner": 204}),
    ("get", "/api/v1/me/credits/", None, MY),
    ("post", "/api/v1/me/credits/", CREDIT, ANYONE_SIGNED_IN),
    ("get", "/api/v1/me/credits/{credit}/", None, LEARNERS_OWN),
    ("delete", "/api/v1/me/credits/{credit}/", None, NOT_MINE | {"learner": 204}),
    # Without a file: 400, once the credentials were checked.
    ("post", "/api/v1/me/credits/import/", None, everyone(400) | {"anonymous": 401}),
    ("get", "/api/v1/me/compliance/", None, MY),
    ("get", f"{A}/licensure-needs/", None, hidden_read(*NEEDS)),
    ("get", f"{P}/licensure-needs/", None, public_read(*NEEDS)),
]  # fmt: skip
MATRIX.extend(LICENSURE_MATRIX)


@pytest.fixture
def licensure_world(world):
    people, ids = world
    learner = people["learner"]
    ids = ids | {
        "licence": LicenceFactory(person=learner).pk,
        "certification": BoardCertificationFactory(person=learner).pk,
        "credit": ExternalCreditFactory(person=learner).pk,
    }
    return people, ids


@pytest.mark.parametrize(
    ("method", "url", "body", "expected"),
    [pytest.param(*row, id=f"{row[0]}-{row[1]}") for row in LICENSURE_MATRIX],
)
def test_licensure_permission_matrix(licensure_world, method, url, body, expected):
    test_permission_matrix(licensure_world, method, url, body, expected)
