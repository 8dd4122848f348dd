import pytest

from shared_apps.search import text


@pytest.fixture(autouse=True)
def _fresh_dictionary(db):
    """Each test reads the user dictionary from its own database state."""
    text.dictionary_reset()
    yield
    text.dictionary_reset()
