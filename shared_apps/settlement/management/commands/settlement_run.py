"""Run settlement now (what the daily beat does), printing the run as one JSON line."""

import json

from django.core.management.base import BaseCommand, CommandError
from django.utils.dateparse import parse_datetime

from backend.api.errors import Conflict
from shared_apps.settlement.runs import run_start


class Command(BaseCommand):
    help = "Settle every order line due by --cutoff (default: now); one statement per shop."

    def add_arguments(self, parser):
        parser.add_argument("--cutoff", help="ISO date-time with its zone, e.g. 2026-11-22T02:30:00+08:00")

    def handle(self, *args, **options):
        cutoff = None
        if options["cutoff"]:
            cutoff = parse_datetime(options["cutoff"])
            if cutoff is None or cutoff.tzinfo is None:
                raise CommandError("--cutoff must be an ISO date-time with its zone")
        try:
            run = run_start(cutoff=cutoff)
        except Conflict as exc:
            raise CommandError(exc.message) from exc
        self.stdout.write(json.dumps({"run": run.pk, "status": run.status, "lines_settled": run.lines_settled,
                                      "statements_made": run.statements_made}))
