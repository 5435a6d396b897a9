"""Create the demo provider, its annual meeting and the demo logins (cmeconf demo-data)."""

from __future__ import annotations

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db.models import ProtectedError

from cmeconf.demo import generator


class Command(BaseCommand):
    help = (
        "Create the demo provider (American College of Clinical Practice), a three-day annual "
        "meeting with about 300 sessions, faculty, learners and one login per role."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        defaults = generator.Sizes()
        parser.add_argument("--seed", type=int, default=2027, help="random seed (default 2027)")
        for name, help_text in (
            ("days", "days of the annual meeting"),
            ("rooms", "rooms: the breakout rooms and the exhibit hall"),
            ("sessions", "sessions of the annual meeting, about"),
            ("faculty", "faculty members"),
            ("learners", "learner accounts"),
        ):
            default = getattr(defaults, name)
            parser.add_argument(
                f"--{name}", type=int, default=default, help=f"{help_text} (default {default})"
            )
        parser.add_argument(
            "--if-empty",
            action="store_true",
            help="when the demo provider exists already, only print the logins",
        )
        parser.add_argument(
            "--reset",
            action="store_true",
            help="delete the demo provider, its activities and demo accounts first "
            "(the audit trail keeps its entries)",
        )
        parser.add_argument("--quiet", action="store_true", help="print nothing")

    def handle(self, *args, **opts) -> None:
        quiet = opts["quiet"]
        for name in ("days", "rooms", "sessions", "faculty", "learners"):
            if opts[name] < (1 if name in ("days", "rooms", "faculty") else 0):
                raise CommandError(f"--{name} is too small")
        if opts["reset"]:
            try:
                removed = generator.reset_demo()
            except ProtectedError as exc:
                raise CommandError(
                    "Demo accounts are still used by other providers' activities; "
                    f"remove those first ({exc.args[0]})"
                ) from exc
            if not quiet:
                self.stdout.write(f"Removed the previous demo data ({removed} account rows).")
        elif generator.demo_provider() is not None:
            if opts["if_empty"]:
                if not quiet:
                    self.stdout.write("The demo data is there already.")
                    self._summary()
                return
            raise CommandError("The demo provider exists already: use --reset or --if-empty.")
        elif generator.leftover_accounts():
            raise CommandError(
                "Demo accounts exist without the demo provider: use --reset to start afresh."
            )

        sizes = generator.Sizes(
            days=opts["days"],
            rooms=opts["rooms"],
            sessions=opts["sessions"],
            faculty=opts["faculty"],
            learners=opts["learners"],
        )
        log = (lambda _msg: None) if quiet else (lambda msg: self.stdout.write(f"  {msg}"))
        if not quiet:
            self.stdout.write(f"Creating the demo data (seed {opts['seed']}) ...")
        result = generator.generate(seed=opts["seed"], sizes=sizes, log=log)
        if not quiet:
            self.stdout.write(
                self.style.SUCCESS(
                    f"Done in {result.seconds:.1f} s: "
                    + ", ".join(f"{n} {what}" for what, n in result.counts.items())
                )
            )
            self._summary()

    def _summary(self) -> None:
        base = settings.SITE_URL
        self.stdout.write("")
        self.stdout.write(f"Open {base}/")
        for name, path in generator.public_paths().items():
            self.stdout.write(f"  {name:<10} {base}{path}")
        self.stdout.write(f"  {'staff':<10} {base}/staff/")
        self.stdout.write(f"  {'admin':<10} {base}/admin/")
        rows = generator.login_rows()
        width = max(len(role) for role, _e, _p in rows)
        email_width = max(len(email) for _r, email, _p in rows)
        self.stdout.write("")
        self.stdout.write(f"{'Role':<{width}}  {'E-mail (login)':<{email_width}}  Password")
        self.stdout.write(f"{'-' * width}  {'-' * email_width}  {'-' * 17}")
        for role, email, password in rows:
            self.stdout.write(f"{role:<{width}}  {email:<{email_width}}  {password}")
