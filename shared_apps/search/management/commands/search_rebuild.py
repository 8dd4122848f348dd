"""Write every search document again from the offer index, then the vocabulary and suggestions
(after a tokenizer or dictionary change, or on a database that had offers before search)."""

from django.core.management.base import BaseCommand

from shared_apps.offers.models import OfferText
from shared_apps.search.index import docs_rebuild, docs_refresh
from shared_apps.search.models import SearchTerm
from shared_apps.search.services import suggestions_refresh, vocabulary_refresh


class Command(BaseCommand):
    help = "Rebuild the search documents, vocabulary and suggestions from the offer index."

    def add_arguments(self, parser):
        parser.add_argument("--missing", action="store_true",
                            help="only offers without a document, and the vocabulary when there is none (make up)")

    def handle(self, *args, **options):
        if options["missing"]:
            docs = docs_refresh(OfferText.objects.filter(search_doc__isnull=True).values_list("pk", flat=True))
            if SearchTerm.objects.exists() and not docs:
                self.stdout.write("0 documents, vocabulary kept")
                return
        else:
            docs = docs_rebuild()
        terms = vocabulary_refresh()
        prefixes = suggestions_refresh()
        self.stdout.write(f"{docs} documents, {terms} terms, {prefixes} suggestion prefixes")
