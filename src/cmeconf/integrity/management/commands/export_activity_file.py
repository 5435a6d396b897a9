"""Write an activity's file for the accreditor to a ZIP (cmeconf export-activity-file)."""

from __future__ import annotations

from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser

from cmeconf.activities.models import Activity
from cmeconf.integrity import audit_file


class Command(BaseCommand):
    help = (
        "Export the activity file of one activity (PDF summary, CSV tables and their SHA-256 "
        "manifest) to a ZIP: cmeconf export-activity-file PROVIDER ACTIVITY -o FILE.zip. "
        "The export is recorded in the activity's audit trail."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("provider", help="the provider's short name")
        parser.add_argument("activity", help="the activity's short name")
        parser.add_argument(
            "-o", "--output", required=True, metavar="FILE", help="where to write the ZIP"
        )
        parser.add_argument(
            "--by",
            metavar="EMAIL",
            help="the account the audit trail names (default: the system)",
        )

    def handle(self, *args, **opts) -> None:
        activity = (
            Activity.objects.select_related("provider")
            .filter(provider__slug=opts["provider"], slug=opts["activity"])
            .first()
        )
        if activity is None:
            raise CommandError(
                f"No activity {opts['activity']!r} of provider {opts['provider']!r}."
            )
        by = None
        if opts["by"]:
            by = get_user_model().objects.filter(email__iexact=opts["by"]).first()
            if by is None:
                raise CommandError(f"No account with the e-mail address {opts['by']}")
        body = audit_file.activity_file_zip(activity)
        path = Path(opts["output"])
        try:
            path.write_bytes(body)
        except OSError as exc:
            raise CommandError(f"Cannot write {path}: {exc}") from exc
        audit_file.record_export(
            activity, by=by, kind="zip", body=body, note="exported with the command line"
        )
        self.stdout.write(f"Wrote {path} ({len(body)} bytes) for {activity.title}.")
