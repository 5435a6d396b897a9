"""Check licensure requirement-set files: ``cmeconf check_requirements [paths...]``."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from cmeconf.licensure.loader import RequirementDataError, load_requirement_sets, shipped_paths


class Command(BaseCommand):
    help = (
        "Check licensure requirement-set files (the shipped ones by default): JSON syntax, "
        "the schema and their meaning. Prints every problem as file:line:col: path: message "
        "and exits with status 1 if there are any."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "paths", nargs="*", type=Path, help="Files or folders of *.json files to check."
        )

    def handle(self, *args: Any, paths: list[Path], **options: Any) -> None:
        files: list[Path] = []
        for path in paths or shipped_paths():
            files += sorted(path.glob("*.json")) if path.is_dir() else [path]
        if not files:
            raise CommandError("No requirement-set files found.")
        try:
            sets = load_requirement_sets(files)
        except RequirementDataError as error:
            for problem in error.problems:
                self.stderr.write(str(problem))
            count = len(error.problems)
            raise CommandError(f"{count} problem{'s' if count != 1 else ''} found.") from None
        self.stdout.write(f"{len(sets)} requirement sets OK")
