from django.core.management.base import BaseCommand

from cmeconf.integrity.reminders import send_due_reminders


class Command(BaseCommand):
    help = "E-mail reminders to people whose disclosure expires soon (each reminder once)."

    def handle(self, *args, **options) -> None:
        sent = send_due_reminders()
        self.stdout.write(f"Sent {sent} reminder(s).")
