"""An activity's claim window and what a claim requires (`CreditSetup`).

- Learners claim only credit commensurate with their participation [M5][M3], so
  claims cannot open before the activity starts (midnight of its first day, in its
  time zone).
- When staff give no opening time, claims open when the last credit-eligible
  session ends (the end of the activity's last day if no session is scheduled).
  This default is written into the setup when it is created and when the form is
  saved without an opening time, so that what learners see never moves silently.
- No closing time means claims stay open: AMA PRA credit has no deadline [M3][M6];
  but pharmacy credit reaches CPE Monitor only within 60 days [P5] and MOC points
  count for a year only when reported by 31 December [B2], so staff usually close
  the window before those dates.
- Whether the evaluation must be completed before a claim (default yes: EACCME and
  MOC require it [E3][B3]).
- Every change goes to the audit trail ("credit.claim_window").
"""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from cmeconf.activities.models import Activity
from cmeconf.common import audit
from cmeconf.credits import participation
from cmeconf.credits.models import CreditSetup

SETUP_FIELDS = ("claims_open_at", "claims_close_at", "evaluation_required")


def default_open_at(activity: Activity) -> dt.datetime:
    """When claims open unless staff say otherwise: the end of the last credit session."""
    last = participation.credit_sessions(activity).order_by("-end").values_list("end", flat=True)
    found = last.first()
    return found if found is not None else activity.local_bounds()[1]


def get_setup(activity: Activity) -> CreditSetup:
    """The activity's setup, created with the defaults on first use."""
    setup = CreditSetup.objects.filter(activity=activity).first()
    if setup is not None:
        return setup
    setup, _created = CreditSetup.objects.get_or_create(
        activity=activity, defaults={"claims_open_at": default_open_at(activity)}
    )
    return setup


def current(activity: Activity) -> CreditSetup:
    """The setup as it stands, or (unsaved) as it would be created: for pages that only read."""
    found = CreditSetup.objects.filter(activity=activity).first()
    return found or CreditSetup(activity=activity, claims_open_at=default_open_at(activity))


def window(activity: Activity) -> tuple[dt.datetime, dt.datetime | None]:
    """(opens, closes or None) with the default opening filled in where none is stored."""
    setup = CreditSetup.objects.filter(activity=activity).first()
    opens = setup.claims_open_at if setup and setup.claims_open_at else default_open_at(activity)
    return opens, setup.claims_close_at if setup else None


@transaction.atomic
def set_claim_window(
    activity: Activity,
    *,
    by,
    claims_open_at: dt.datetime | None,
    claims_close_at: dt.datetime | None,
    evaluation_required: bool = True,
) -> CreditSetup:
    """Set when learners may claim credit and whether the evaluation comes first.

    Raises ValidationError (by field) when claims would open before the activity
    starts or close before they open.
    Side effects: audit "credit.claim_window" with before and after.
    """
    opens = claims_open_at or default_open_at(activity)
    starts = activity.local_bounds()[0]
    if opens < starts:
        raise ValidationError(
            {
                "claims_open_at": _(
                    "Claims cannot open before the activity starts: learners claim only "
                    "the time they took part."
                )
            }
        )
    if claims_close_at is not None and claims_close_at <= opens:
        raise ValidationError({"claims_close_at": _("Claims must close after they open.")})
    setup = CreditSetup.objects.select_for_update().filter(activity=activity).first()
    before = audit.snapshot(setup, SETUP_FIELDS) if setup else None
    if setup is None:
        setup = CreditSetup(activity=activity)
    setup.claims_open_at = opens
    setup.claims_close_at = claims_close_at
    setup.evaluation_required = evaluation_required
    after = audit.snapshot(setup, SETUP_FIELDS)
    if before == after:
        return setup
    setup.save()
    audit.record(
        "credit.claim_window",
        actor=by,
        obj=setup,
        before=before,
        after=after,
        provider_id=activity.provider_id,
        activity_id=activity.pk,
    )
    return setup
