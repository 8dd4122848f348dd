import pytest


@pytest.fixture(autouse=True)
def _english(settings):
    """These tests compare messages with their English source text; the mall's default is Chinese."""
    settings.LANGUAGE_CODE = "en"
