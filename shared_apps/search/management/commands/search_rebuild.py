"""Write every search document again from the offer index, then the vocabulary and suggestions
(after a tokenizer or dictionary change, or on a database that had offers before search)."""

from django.core.management.base import BaseCommand

from shared_apps.search.index import docs_rebuild
from shared_apps.search.services import suggestions_refresh, vocabulary_refresh


class Command(BaseCommand):
    help = "Rebuild the search documents, vocabulary and suggestions from the offer index."

    def handle(self, *args, **options):
        docs = docs_rebuild()
        terms = vocabulary_refresh()
        prefixes = suggestions_refresh()
        self.stdout.write(f"{docs} documents, {terms} terms, {prefixes} suggestion prefixes")
