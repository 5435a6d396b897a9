"""Import ineligible companies from a CSV file (cmeconf import_companies PATH)."""

from __future__ import annotations

import sys

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser

from cmeconf.integrity.companies import import_companies_csv


class Command(BaseCommand):
    help = (
        "Import ineligible companies from a CSV file with the columns name, kind, website and "
        "aliases (aliases separated by |). Every row is checked first; if any row is wrong, "
        "the errors are printed and nothing is imported."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", help="the CSV file (UTF-8), or - to read standard input")
        parser.add_argument(
            "--by",
            metavar="EMAIL",
            help="the account the audit trail names (default: the system)",
        )

    def handle(self, *args, **opts) -> None:
        by = None
        if opts["by"]:
            by = get_user_model().objects.filter(email__iexact=opts["by"]).first()
            if by is None:
                raise CommandError(f"No account with the e-mail address {opts['by']}")
        try:
            if opts["path"] == "-":
                text = sys.stdin.read()
            else:
                with open(opts["path"], encoding="utf-8-sig") as f:
                    text = f.read()
        except (OSError, UnicodeDecodeError) as exc:
            raise CommandError(f"Cannot read {opts['path']}: {exc}") from exc

        result = import_companies_csv(text, by=by)
        if not result.ok:
            for error in result.errors:
                self.stderr.write(str(error))
            raise CommandError(
                f"Nothing imported: {len(result.errors)} error(s) in {opts['path']}."
            )
        self.stdout.write(
            f"Imported {result.created} companies; {result.already_present} already present."
        )
