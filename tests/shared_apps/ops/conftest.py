"""Operator-console personas and builders: more operator roles, submitted applications, shops."""

import pytest

from shared_apps.accounts.models import OperatorRole
from tests.conftest import OPS, client_for
from tests.factories import UserFactory, build_application


@pytest.fixture
def finance(db):
    return UserFactory(
        email="finance@example.com", display_name="Finance", operator_role=OperatorRole.FINANCE
    )


@pytest.fixture
def service_agent(db):
    return UserFactory(
        email="service@example.com", display_name="Service", operator_role=OperatorRole.SERVICE
    )


@pytest.fixture
def ops_as():
    """`ops_as(user)`: a client on the operator host, signed in as `user` (anonymous for None)."""
    return lambda user=None: client_for(OPS, user)


@pytest.fixture
def counted_ops_as(settings):
    """Like `ops_as`, with the session in a signed cookie, so a query count holds only the page's
    own queries and the user lookup, whatever other test workers do to the shared cache."""
    settings.SESSION_ENGINE = "django.contrib.sessions.backends.signed_cookies"
    return lambda user: client_for(OPS, user)


submit_application = build_application


@pytest.fixture
def applicant(db):
    return UserFactory(email="applicant@example.com", display_name="Applicant")


@pytest.fixture
def submitted(applicant):
    return submit_application(applicant, pdf=True)
