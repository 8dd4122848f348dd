"""factory-boy factories and small builders shared by the tests."""

import io

import factory
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from backend.lib.validators import credit_code_check_char
from shared_apps.accounts.models import User

PASSWORD = "Correct-Horse-42"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"person{n}@example.com")
    display_name = factory.Sequence(lambda n: f"Person {n}")
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def save_after(obj, create, extracted, **kwargs):
        if create:
            obj.save()


def credit_code(seed: int = 1) -> str:
    """A valid unified social credit code derived from `seed`."""
    first17 = f"91310000{seed:09d}"[:17]
    return first17 + credit_code_check_char(first17)


def png_bytes(width: int = 64, height: int = 64, color: str = "red") -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (width, height), color).save(buffer, "PNG")
    return buffer.getvalue()


def png_upload(name: str = "licence.png", **kwargs) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, png_bytes(**kwargs), content_type="image/png")


def pdf_upload(name: str = "licence.pdf") -> SimpleUploadedFile:
    body = b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Count 0/Kids[]>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
    return SimpleUploadedFile(name, body, content_type="application/pdf")


def application_data(n: int = 1, **overrides) -> dict:
    company = overrides.pop("company_name", f"上海测试贸易有限公司{n}")
    data = {
        "shop_name": f"测试小店{n}",
        "subdomain": f"shop-{n}",
        "company_name": company,
        "credit_code": credit_code(n),
        "contact_name": "张三",
        "contact_phone": f"138{n:08d}"[:11],
        "bank_name": "招商银行",
        "bank_branch": "上海分行",
        "bank_account_name": company,
        "bank_account_number": "6225880112345678",
    }
    data.update(overrides)
    return data


def build_application(applicant, n: int = 1, *, pdf: bool = False, submit: bool = True, **overrides):
    """A complete application built through the onboarding services, submitted by default."""
    from shared_apps.onboarding import services as onboarding
    from shared_apps.taxonomy.models import Category

    data = application_data(n, **overrides)
    data["category_ids"] = list(Category.objects.filter(code__in=["food", "books"]).values_list("pk", flat=True))
    application = onboarding.application_create(applicant=applicant)
    onboarding.application_update(application_id=application.pk, actor=applicant, data=data)
    onboarding.document_add(application_id=application.pk, actor=applicant, kind="business_licence",
                            upload=png_upload())
    if pdf:
        onboarding.document_add(application_id=application.pk, actor=applicant, kind="other", upload=pdf_upload())
    if submit:
        onboarding.application_submit(application_id=application.pk, actor=applicant)
    application.refresh_from_db()
    return application
