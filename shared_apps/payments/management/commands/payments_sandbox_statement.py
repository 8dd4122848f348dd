"""Write the sandbox provider's daily statement (CSV) to stdout or a file."""

import datetime

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from shared_apps.payments import sandbox_gateway


class Command(BaseCommand):
    help = "The sandbox's statement of one day (default: yesterday, Asia/Shanghai) as CSV."

    def add_arguments(self, parser):
        parser.add_argument("--date", help="YYYY-MM-DD")
        parser.add_argument("--output", help="file to write (default: stdout)")

    def handle(self, *args, **options):
        if options["date"]:
            try:
                day = datetime.date.fromisoformat(options["date"])
            except ValueError as exc:
                raise CommandError("--date must be YYYY-MM-DD") from exc
        else:
            day = timezone.localdate() - datetime.timedelta(days=1)
        text = sandbox_gateway.statement_csv(day)
        if options["output"]:
            with open(options["output"], "w", encoding="utf-8", newline="") as handle:
                handle.write(text)
        else:
            self.stdout.write(text, ending="")
