import pytest

from tests.factories import build_application


@pytest.fixture
def applicant(make_user):
    return make_user(email="applicant@example.com", display_name="Applicant")


@pytest.fixture
def submitted(applicant):
    return build_application(applicant)
