"""Beat work of search: the vocabulary (spelling corrections) and the suggestion prefixes are
rebuilt from the offer index. The documents themselves follow the index as it changes."""

from celery import shared_task


@shared_task(ignore_result=True)
def vocabulary_and_suggestions_refresh() -> int:
    from .services import suggestions_refresh, vocabulary_refresh

    vocabulary_refresh()
    return suggestions_refresh()
