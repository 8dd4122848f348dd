"""Orders: the platform's money record (public schema).

One checkout makes one `Order` (the parent: what the shopper pays at once; its number is the
payment's out-trade-number) and one `SubOrder` per shop (what that shop fulfils and is settled
for), each with `OrderLine`s carrying every money field settlement and refunds need. Numbers are
allocated by the platform from one PostgreSQL sequence, never a shop schema's id. A shop's own
fulfilment (reservations, stock movements, shipments) lives in its schema, keyed by the
sub-order number.
"""

from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from backend.lib.money import MoneyField

# The statutory no-reason return period (7 days from delivery): no shop's after-sales window is
# shorter, and no order is settled with its shop before it has passed.
AFTER_SALES_FLOOR_DAYS = 7


class OrderStatus(models.TextChoices):
    PENDING_PAYMENT = "pending_payment", _("Pending payment")
    PAID = "paid", _("Paid")
    EXPIRED = "expired", _("Expired")
    CANCELLED = "cancelled", _("Cancelled")


class SubOrderStatus(models.TextChoices):
    PENDING_PAYMENT = "pending_payment", _("Pending payment")
    PAID = "paid", _("Paid")
    CONFIRMED = "confirmed", _("Confirmed")
    SHIPPED = "shipped", _("Shipped")
    DELIVERED = "delivered", _("Delivered")
    COMPLETED = "completed", _("Completed")
    CANCELLED = "cancelled", _("Cancelled")


class DeliveryMethod(models.TextChoices):
    EXPRESS = "express", _("Express")
    EXPEDITED = "expedited", _("Expedited")
    SAME_CITY = "same_city", _("Same-city delivery")
    PICKUP = "pickup", _("Pickup at a store")


class PaymentMode(models.TextChoices):
    ONLINE = "online", _("Online")
    AT_PICKUP = "at_pickup", _("Pay at pickup")


class Order(models.Model):
    """A checkout: what one shopper pays at once, over one or more shops."""

    number = models.CharField(max_length=20, unique=True)
    user_id = models.BigIntegerField(db_index=True)
    status = models.CharField(max_length=16, choices=OrderStatus.choices, default=OrderStatus.PENDING_PAYMENT,
                              db_index=True)
    goods_amount = MoneyField()
    shipping_amount = MoneyField()
    shop_discount = MoneyField()
    platform_discount = MoneyField()
    payable_amount = MoneyField()  # goods + shipping − discounts, over all sub-orders
    online_amount = MoneyField()  # the part paid online (the payment's amount)
    payment_provider = models.CharField(max_length=16, blank=True)
    address = models.JSONField(default=dict, blank=True)  # snapshot for delivery sub-orders
    client_token = models.CharField(max_length=64)  # one placed order per token (double clicks)
    expires_at = models.DateTimeField(db_index=True)
    paid_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["user_id", "client_token"], name="order_one_per_client_token"),
            models.CheckConstraint(condition=Q(payable_amount__gte=0) & Q(online_amount__gte=0)
                                   & Q(online_amount__lte=F("payable_amount")), name="order_amounts_sane"),
        ]

    def __str__(self) -> str:
        return self.number


class SubOrder(models.Model):
    """One shop's part of an order: what it fulfils and is settled for."""

    order = models.ForeignKey(Order, on_delete=models.PROTECT, related_name="sub_orders")
    number = models.CharField(max_length=24, unique=True)
    shop = models.ForeignKey("tenants.Shop", on_delete=models.PROTECT, related_name="sub_orders")
    user_id = models.BigIntegerField(db_index=True)
    status = models.CharField(max_length=16, choices=SubOrderStatus.choices,
                              default=SubOrderStatus.PENDING_PAYMENT, db_index=True)
    delivery_method = models.CharField(max_length=12, choices=DeliveryMethod.choices)
    pickup_location_id = models.BigIntegerField(null=True, blank=True)  # in the shop's schema
    pickup_location = models.JSONField(default=dict, blank=True)  # name/address snapshot
    pickup_code = models.CharField(max_length=8, blank=True)  # shown to the buyer, checked at the store
    payment_mode = models.CharField(max_length=10, choices=PaymentMode.choices, default=PaymentMode.ONLINE)
    offline_payment_number = models.CharField(max_length=24, blank=True)
    goods_amount = MoneyField()
    shipping_amount = MoneyField()
    shop_discount = MoneyField()
    platform_discount = MoneyField()
    payable_amount = MoneyField()
    paid_amount = MoneyField(default=0)
    refunded_amount = MoneyField(default=0)
    shop_coupon_code = models.CharField(max_length=32, blank=True)
    invoice = models.JSONField(default=dict, blank=True)  # {} or {"kind": "personal"|"company", "title", "tax_number"}
    buyer_note = models.CharField(max_length=200, blank=True)
    requires_confirmation = models.BooleanField(default=False)
    auto_complete_days = models.PositiveSmallIntegerField(default=7)  # the shop's setting at checkout
    after_sales_days = models.PositiveSmallIntegerField(default=AFTER_SALES_FLOOR_DAYS)  # likewise; ≥ the floor
    paid_at = models.DateTimeField(null=True, blank=True)
    shipped_at = models.DateTimeField(null=True, blank=True)
    delivered_at = models.DateTimeField(null=True, blank=True)
    completed_at = models.DateTimeField(null=True, blank=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["shop", "status", "-created_at"], name="suborder_shop_status")]
        constraints = [
            models.CheckConstraint(condition=Q(refunded_amount__lte=F("paid_amount")), name="suborder_refund_capped"),
            models.CheckConstraint(condition=Q(payable_amount__gte=0), name="suborder_payable_not_negative"),
        ]

    def __str__(self) -> str:
        return self.number

    @property
    def is_pickup(self) -> bool:
        return self.delivery_method == DeliveryMethod.PICKUP


class OrderLine(models.Model):
    """One SKU of a sub-order with every money field: payable = goods − shop share − platform
    share; refunds are capped per line by what the line was paid."""

    sub_order = models.ForeignKey(SubOrder, on_delete=models.CASCADE, related_name="lines")
    sku_id = models.BigIntegerField()  # in the shop's schema
    product_id = models.BigIntegerField()
    sku_code = models.CharField(max_length=64)
    title = models.CharField(max_length=120)
    spec = models.JSONField(default=dict, blank=True)
    image = models.CharField(max_length=200, blank=True)
    category_id = models.BigIntegerField(null=True, blank=True)  # platform category (commission)
    tax_rate = models.DecimalField(max_digits=4, decimal_places=2, null=True, blank=True)
    unit_price = MoneyField()
    quantity = models.PositiveIntegerField()
    goods_amount = MoneyField()
    shop_discount = MoneyField(default=0)
    platform_discount = MoneyField(default=0)
    payable_amount = MoneyField()
    paid_amount = MoneyField(default=0)
    refunded_amount = MoneyField(default=0)
    # The commission rate in force when the order was paid (settlement snapshots it; None: not yet).
    commission_rate = models.DecimalField(max_digits=5, decimal_places=4, null=True, blank=True)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(condition=Q(quantity__gt=0), name="orderline_quantity_positive"),
            models.CheckConstraint(condition=Q(refunded_amount__lte=F("paid_amount")), name="orderline_refund_capped"),
            models.CheckConstraint(
                condition=Q(payable_amount=F("goods_amount") - F("shop_discount") - F("platform_discount")),
                name="orderline_payable_adds_up"),
        ]


class SubOrderStatusChange(models.Model):
    sub_order = models.ForeignKey(SubOrder, on_delete=models.CASCADE, related_name="status_changes")
    from_status = models.CharField(max_length=16, blank=True)
    to_status = models.CharField(max_length=16)
    actor_user_id = models.BigIntegerField(null=True, blank=True)  # None: the system
    reason = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]

    @property
    def from_label(self) -> str:
        return SubOrderStatus(self.from_status).label if self.from_status else ""

    @property
    def to_label(self) -> str:
        return SubOrderStatus(self.to_status).label


class RefundStatus(models.TextChoices):
    PENDING = "pending", _("Refund in progress")
    SUCCEEDED = "succeeded", _("Refunded")
    FAILED = "failed", _("Refund failed")


class RefundBy(models.TextChoices):
    SHOP = "shop", _("Shop")
    OPERATOR = "operator", _("Operator")


class OrderRefund(models.Model):
    """Money given back on one sub-order, line by line (plus, optionally, its shipping).

    The amounts count against each line's cap from the moment the refund is asked for; they move
    into the lines' `refunded_amount` when the payment provider reports success. A failed refund
    stops counting and can be tried again (`attempts`: the payment refund number of each try is
    `number`, then `number-2`, …)."""

    number = models.CharField(max_length=32, unique=True)  # <sub-order number>-R<n>
    sub_order = models.ForeignKey(SubOrder, on_delete=models.PROTECT, related_name="refunds")
    amount = MoneyField()  # the lines' amounts + shipping_amount
    shipping_amount = MoneyField(default=0)
    status = models.CharField(max_length=12, choices=RefundStatus.choices, default=RefundStatus.PENDING,
                              db_index=True)
    reason = models.CharField(max_length=200)
    restocked = models.BooleanField(default=False)  # the returned units went back into stock
    requested_by = models.CharField(max_length=10, choices=RefundBy.choices)
    actor_user_id = models.BigIntegerField(null=True, blank=True)
    request_key = models.CharField(max_length=64, blank=True)  # one refund per form submission
    payment_refund_no = models.CharField(max_length=40)  # the current try at the payment provider
    attempts = models.PositiveSmallIntegerField(default=1)
    failure_reason = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0) & Q(shipping_amount__gte=0)
                                   & Q(shipping_amount__lte=F("amount")), name="orderrefund_amounts_sane"),
            models.UniqueConstraint(fields=["sub_order", "request_key"], condition=~Q(request_key=""),
                                    name="orderrefund_one_per_request_key"),
        ]

    def __str__(self) -> str:
        return self.number

    @property
    def awaits_hand_back(self) -> bool:
        """Pending, and the shop pays it back itself: the money was taken offline (at the counter,
        or by bank transfer), so no provider will."""
        sub = self.sub_order
        offline = sub.payment_mode == PaymentMode.AT_PICKUP or sub.order.payment_provider == "offline"
        return self.status == RefundStatus.PENDING and offline


class OrderRefundLine(models.Model):
    """One line's share of a refund: the money, and how many units came back (0: money only)."""

    refund = models.ForeignKey(OrderRefund, on_delete=models.CASCADE, related_name="lines")
    line = models.ForeignKey(OrderLine, on_delete=models.PROTECT, related_name="refund_lines")
    quantity = models.PositiveIntegerField(default=0)
    amount = MoneyField()

    class Meta:
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="orderrefundline_amount_positive"),
            models.UniqueConstraint(fields=["refund", "line"], name="orderrefundline_once_per_refund"),
        ]
