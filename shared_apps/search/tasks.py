"""Beat work of search: the vocabulary (spelling corrections) and the suggestion prefixes are
rebuilt from the offer index. The documents themselves follow the index as it changes."""

from celery import shared_task


@shared_task(ignore_result=True)
def vocabulary_and_suggestions_refresh() -> int:
    from .services import suggestions_refresh, vocabulary_refresh

    vocabulary_refresh()
    return suggestions_refresh()


@shared_task(ignore_result=True)
def search_log_drain() -> int:
    """Move the searches and clicks logged in Redis into PostgreSQL (search analytics)."""
    from .analytics import log_drain

    return log_drain().searches


@shared_task(ignore_result=True)
def dictionary_watch() -> int:
    """Re-index the documents a changed user dictionary segments differently (every minute)."""
    from .services import dictionary_watch

    return dictionary_watch()


@shared_task(ignore_result=True)
def shop_visibility_refresh(shop_id: int) -> int:
    """A shop's documents after its status changed, then the words suggested and corrected to."""
    from . import index
    from .services import suggestions_refresh, vocabulary_refresh

    changed = index.shop_visibility_refresh(shop_id)
    vocabulary_refresh()
    suggestions_refresh()
    return changed


@shared_task(ignore_result=True)
def search_logs_purge() -> int:
    """Daily: searches older than SEARCH_LOG_DAYS leave the analytics tables."""
    from .analytics import logs_purge

    return logs_purge()
