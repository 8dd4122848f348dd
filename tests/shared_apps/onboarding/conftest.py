import pytest

from shared_apps.onboarding import services
from shared_apps.taxonomy.models import Category
from tests.factories import application_data, png_upload


def build_application(applicant, n: int = 1, submit: bool = True, **overrides):
    """A complete application through the services, submitted unless told otherwise."""
    data = application_data(n, **overrides)
    data["category_ids"] = list(Category.objects.filter(code__in=["food", "books"]).values_list("pk", flat=True))
    application = services.application_create(applicant=applicant)
    services.application_update(application_id=application.pk, actor=applicant, data=data)
    services.document_add(application_id=application.pk, actor=applicant, kind="business_licence",
                          upload=png_upload())
    if submit:
        services.application_submit(application_id=application.pk, actor=applicant)
    application.refresh_from_db()
    return application


@pytest.fixture
def applicant(make_user):
    return make_user(email="applicant@example.com", display_name="Applicant")


@pytest.fixture
def submitted(applicant):
    return build_application(applicant)
