"""Seed a demo mall: an operator, three approved shops (through the real onboarding flow) and a
consumer. Idempotent: what exists is left as it is."""

import io

from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management.base import BaseCommand
from django.db import transaction
from django_tenants.utils import schema_context
from PIL import Image, ImageDraw

from backend.lib.validators import credit_code_check_char
from shared_apps.accounts.models import OperatorRole, User
from shared_apps.onboarding import services as onboarding
from shared_apps.taxonomy.models import Category
from tenants.models import Shop

OPERATOR = ("admin@mall.localhost", "Operator#2026", "平台管理员")
SHOPPER = ("shopper@example.com", "Shopper#2026", "小明")
MERCHANT_PASSWORD = "Merchant#2026"
SHOPS = [
    ("tea", "西湖茶庄", "杭州西湖茶业有限公司", "owner@tea.example", ["food"]),
    ("gadgets", "极客数码", "深圳极客数码科技有限公司", "owner@gadgets.example", ["digital", "computers"]),
    ("books", "书香阁", "北京书香文化传媒有限公司", "owner@books.example", ["books"]),
]


def _licence_png(text: str) -> SimpleUploadedFile:
    image = Image.new("RGB", (640, 420), "white")
    ImageDraw.Draw(image).text((30, 30), f"Business licence (demo)\n{text}", fill="black")
    buffer = io.BytesIO()
    image.save(buffer, "PNG")
    return SimpleUploadedFile("licence.png", buffer.getvalue(), content_type="image/png")


def _user(email: str, password: str, name: str, **extra) -> User:
    user = User.objects.filter(email__iexact=email).first()
    if user is None:
        user = User.objects.create_user(email, password, display_name=name, **extra)
    return user


class Command(BaseCommand):
    help = "Seed a demo mall (idempotent)."

    def handle(self, *args, **options):
        operator = _user(*OPERATOR, operator_role=OperatorRole.ADMIN)
        _user(*SHOPPER)
        for index, (subdomain, name, company, email, categories) in enumerate(SHOPS, start=1):
            if Shop.objects.filter(subdomain=subdomain).exists():
                continue
            owner = _user(email, MERCHANT_PASSWORD, f"{name}店主")
            first17 = f"9133{index:014d}"[:17]
            with transaction.atomic():
                application = onboarding.application_create(applicant=owner)
                onboarding.application_update(application_id=application.pk, actor=owner, data={
                    "shop_name": name, "subdomain": subdomain, "company_name": company,
                    "credit_code": first17 + credit_code_check_char(first17),
                    "contact_name": "店主", "contact_phone": f"1380000{index:04d}",
                    "bank_name": "招商银行", "bank_branch": "总行营业部", "bank_account_name": company,
                    "bank_account_number": f"62258801{index:08d}",
                    "category_ids": list(Category.objects.filter(code__in=categories).values_list("pk", flat=True)),
                })
                onboarding.document_add(application_id=application.pk, actor=owner,
                                        kind="business_licence", upload=_licence_png(company))
                onboarding.application_submit(application_id=application.pk, actor=owner)
                onboarding.application_approve(application_id=application.pk, actor=operator)
            self.stdout.write(f"seeded shop {subdomain}")
        for shop in Shop.objects.filter(subdomain__in=[s[0] for s in SHOPS]):
            _seed_freight(shop)
        _seed_commission(operator)


def _seed_commission(operator) -> None:
    """A platform default commission of 5 % from the start of the year, when no rule exists."""
    import datetime

    from django.utils import timezone

    from shared_apps.settlement import services as settlement
    from shared_apps.settlement.models import CommissionRule

    if not CommissionRule.objects.exists():
        settlement.commission_rule_create(rate="0.0500", effective_from=datetime.date(timezone.localdate().year, 1, 1),
                                          actor_user_id=operator.pk, note="demo platform default")


# The demo shops' express delivery: by weight, free from ¥99, remote provinces dearer.
DEMO_FREIGHT = {
    "name": "全国快递", "method": "express", "basis": "weight",
    "first_units": 1000, "first_price": "8.00", "additional_units": 1000, "additional_price": "4.00",
    "free_threshold": "99.00",
    "rules": [{"regions": ["650000", "540000", "630000"], "first_price": "20.00", "additional_price": "10.00"}],
}


def _seed_freight(shop) -> None:
    """One express template for a demo shop that has none (idempotent)."""
    from tenant_apps.freight import services as freight
    from tenant_apps.freight.models import FreightTemplate

    with schema_context(shop.schema_name):
        if not FreightTemplate.objects.exists():
            freight.template_create(data=DEMO_FREIGHT, shop_id=shop.pk)
