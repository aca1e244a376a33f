"""The admin's list views and their actions.

Lists and details read the tables through the ORM models (what the admin library needs);
nothing is created, edited, deleted, imported or exported here. Every action is a POST
(starlette-admin's CSRF middleware checks its token) that calls one domain service in one
transaction, the audit row included; a moderator's request for a money action is refused
by the service even if the button were shown.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from html import escape
from typing import Any

from sqlalchemy import Select, func, or_, select
from starlette.requests import Request
from starlette_admin import ComputedField, IntegerField, row_action
from starlette_admin.contrib.sqla import ModelView
from starlette_admin.exceptions import ActionFailed
from starlette_admin.flash import flash

from srochno.admin.context import AdminContext, operator_of
from srochno.db import Connection
from srochno.enums import OPEN_STATUSES, ReportStatus, TopupStatus
from srochno.errors import AppError
from srochno.ledger.adjustment import adjust_balance
from srochno.models import (
    AdminAction,
    Complaint,
    LedgerEntry,
    Order,
    OrderReport,
    Payment,
    PaymentCharge,
    Review,
    Take,
    Topup,
    User,
)
from srochno.orders.cancel import cancel_order
from srochno.orders.moderation import (
    PendingReports,
    confirm_reports,
    detector_findings,
    dismiss_reports,
    pending_reports,
)
from srochno.payments.refunds import refund_by_operator
from srochno.payments.topup_refunds import refund_topup_by_operator
from srochno.reviews.moderation import hide_review, resolve_complaint, unhide_review
from srochno.staff.service import Operator
from srochno.users.moderation import ban_user, unban_user

REASON_FORM = """
<form>
  <div class="mt-3">
    <label class="form-label" for="reason">{label}</label>
    <textarea class="form-control" id="reason" name="reason" rows="3" maxlength="1000"
              required></textarea>
  </div>
</form>
"""
ADJUST_FORM = """
<form>
  <div class="mt-3">
    <label class="form-label" for="amount">Amount, ₽ (negative to debit)</label>
    <input class="form-control" id="amount" name="amount" type="number" step="1" required>
  </div>
  <div class="mt-3">
    <label class="form-label" for="reason">Reason</label>
    <textarea class="form-control" id="reason" name="reason" rows="3" maxlength="1000"
              required></textarea>
  </div>
</form>
"""
RESOLVE_FORM = """
<form>
  <div class="mt-3">
    <label class="form-label" for="reason">Resolution note</label>
    <textarea class="form-control" id="reason" name="reason" rows="3" maxlength="1000"
              required></textarea>
  </div>
  {refund}
</form>
"""
REFUND_CHECKBOX = """
  <div class="mt-3">
    <label class="form-check">
      <input class="form-check-input" type="checkbox" name="refund" value="on">
      <span class="form-check-label">Refund the complainant's take</span>
    </label>
  </div>
"""


def reason_form(label: str) -> str:
    return REASON_FORM.format(label=escape(label))


async def form_value(request: Request, name: str) -> str:
    value = (await request.form()).get(name)
    return value if isinstance(value, str) else ""


class ReadOnlyView(ModelView):
    """A list and detail pages; changes only through the actions."""

    page_size = 25
    exporters: Any = []
    importers: Any = []
    row_actions_display_type: Any = "dropdown"

    def __init__(self, model: type[Any], context: AdminContext, **options: Any) -> None:
        self.context = context
        super().__init__(model, **options)

    def is_accessible(self, request: Request) -> bool:
        return operator_of(request) is not None

    def can_create(self, request: Request) -> bool:
        return False

    def can_edit(self, request: Request) -> bool:
        return False

    def can_delete(self, request: Request) -> bool:
        return False

    def can_export(self, request: Request) -> bool:
        return False

    def can_import(self, request: Request) -> bool:
        return False

    async def run(
        self,
        request: Request,
        action: Callable[[Connection, Operator], Awaitable[Any]],
        done: str | Callable[[Any], str],
    ) -> None:
        """One action: the service in one transaction; its refusal shown to the operator,
        its outcome too (``done``: a message, or one made from the service's answer)."""
        operator = operator_of(request)
        if operator is None:
            raise ActionFailed("Sign in again")
        try:
            async with self.context.transaction() as conn:
                result = await action(conn, operator)
        except AppError as error:
            raise ActionFailed(error.detail) from None
        flash(request, done if isinstance(done, str) else done(result), "success")


def moves_money(request: Request) -> bool:
    operator = operator_of(request)
    return operator is not None and operator.moves_money


class UserView(ReadOnlyView):
    fields: Any = [
        "id",
        "first_name",
        "last_name",
        "username",
        "balance",
        "is_banned",
        "completed_orders_count",
        "reviews_count",
        "rating_sum",
        "complaints_count",
        "strikes",
        "created_at",
    ]
    searchable_fields: Any = ["first_name", "last_name", "username"]
    sortable_fields: Any = ["id", "balance", "complaints_count", "strikes", "created_at"]
    fields_default_sort: Any = [("created_at", True)]
    row_actions: Any = ["view", "ban", "unban", "adjust_balance"]

    async def is_row_action_allowed(self, request: Request, name: str) -> bool:
        if name == "adjust_balance":
            return moves_money(request)
        return await super().is_row_action_allowed(request, name)

    async def is_row_action_allowed_for_obj(self, request: Request, name: str, obj: Any) -> bool:
        if (name == "ban" and obj.is_banned) or (name == "unban" and not obj.is_banned):
            return False
        return await self.is_row_action_allowed(request, name)

    @row_action(
        name="ban",
        text="Ban",
        confirmation="Ban this user? Their requests are refused from now on.",
        icon_class="fa fa-ban",
        submit_btn_text="Ban",
        form=reason_form("Reason"),
    )
    async def ban(self, request: Request, pk: Any) -> None:
        reason = await form_value(request, "reason")
        await self.run(request, lambda c, o: ban_user(c, o, int(pk), reason), "User banned")

    @row_action(
        name="unban",
        text="Unban",
        confirmation="Lift the ban?",
        icon_class="fa fa-unlock",
        submit_btn_text="Unban",
        form=reason_form("Reason"),
    )
    async def unban(self, request: Request, pk: Any) -> None:
        reason = await form_value(request, "reason")
        await self.run(request, lambda c, o: unban_user(c, o, int(pk), reason), "Ban lifted")

    @row_action(
        name="adjust_balance",
        text="Adjust balance",
        confirmation="Change this user's balance (a ledger adjustment)?",
        icon_class="fa fa-scale-balanced",
        submit_btn_text="Adjust",
        form=ADJUST_FORM,
    )
    async def adjust_balance(self, request: Request, pk: Any) -> None:
        reason = await form_value(request, "reason")
        try:
            amount = int((await form_value(request, "amount")).strip())
        except ValueError:
            raise ActionFailed("The amount is a whole number of rubles") from None
        await self.run(
            request,
            lambda c, o: adjust_balance(c, o, int(pk), amount, reason),
            "Balance adjusted",
        )


class OrderView(ReadOnlyView):
    fields: Any = [
        "id",
        "status",
        "category",
        "city",
        "description",
        "contact",
        "owner_id",
        "executors_count",
        "max_executors",
        "take_price",
        "created_at",
        "expires_at",
        "first_taken_at",
        "responded_at",
        "completed_at",
        "completed_executor_id",
        "closed_at",
    ]
    exclude_fields_from_list: Any = ["description", "contact", "expires_at", "responded_at"]
    searchable_fields: Any = ["id", "city", "description"]
    sortable_fields: Any = ["created_at", "status", "executors_count"]
    fields_default_sort: Any = [("created_at", True)]
    row_actions: Any = ["view", "cancel"]

    async def is_row_action_allowed_for_obj(self, request: Request, name: str, obj: Any) -> bool:
        if name == "cancel" and obj.status not in OPEN_STATUSES:
            return False
        return await self.is_row_action_allowed(request, name)

    @row_action(
        name="cancel",
        text="Cancel order",
        confirmation="Cancel this order? Its takers get the price back unless the client "
        "responded (a refund needs an admin).",
        icon_class="fa fa-xmark",
        submit_btn_text="Cancel order",
        form=reason_form("Reason"),
    )
    async def cancel(self, request: Request, pk: Any) -> None:
        reason = await form_value(request, "reason")
        await self.run(request, lambda c, o: cancel_order(c, o, str(pk), reason), "Order cancelled")


class TakeView(ReadOnlyView):
    sortable_fields: Any = ["taken_at", "refunded_at"]
    fields_default_sort: Any = [("taken_at", True)]
    searchable_fields: Any = ["order_id"]


class ReviewView(ReadOnlyView):
    fields: Any = [
        "id",
        "rating",
        "comment",
        "executor_id",
        "author_id",
        "order_id",
        "created_at",
        "hidden_at",
    ]
    sortable_fields: Any = ["id", "rating", "created_at", "hidden_at"]
    fields_default_sort: Any = [("id", True)]
    searchable_fields: Any = ["comment"]
    row_actions: Any = ["view", "hide", "unhide"]

    async def is_row_action_allowed_for_obj(self, request: Request, name: str, obj: Any) -> bool:
        hidden = obj.hidden_at is not None
        if (name == "hide" and hidden) or (name == "unhide" and not hidden):
            return False
        return await self.is_row_action_allowed(request, name)

    @row_action(
        name="hide",
        text="Hide",
        confirmation="Hide this review? It leaves the public list and the rating.",
        icon_class="fa fa-eye-slash",
        submit_btn_text="Hide",
        form=reason_form("Reason"),
    )
    async def hide(self, request: Request, pk: Any) -> None:
        reason = await form_value(request, "reason")
        await self.run(request, lambda c, o: hide_review(c, o, int(pk), reason), "Review hidden")

    @row_action(
        name="unhide",
        text="Show again",
        confirmation="Show this review again?",
        icon_class="fa fa-eye",
        submit_btn_text="Show",
        form=reason_form("Reason"),
    )
    async def unhide(self, request: Request, pk: Any) -> None:
        reason = await form_value(request, "reason")
        await self.run(
            request, lambda c, o: unhide_review(c, o, int(pk), reason), "Review shown again"
        )


def resolve_form(request: Request, obj: Any) -> str:
    return RESOLVE_FORM.format(refund=REFUND_CHECKBOX if moves_money(request) else "")


class ComplaintView(ReadOnlyView):
    fields: Any = [
        "id",
        "reason",
        "comment",
        "order_id",
        "author_id",
        "client_id",
        "created_at",
        "resolved_at",
        "resolution_note",
        "resolved_by_id",
    ]
    sortable_fields: Any = ["id", "created_at", "resolved_at"]
    fields_default_sort: Any = [("id", True)]
    row_actions: Any = ["view", "resolve"]

    async def is_row_action_allowed_for_obj(self, request: Request, name: str, obj: Any) -> bool:
        if name == "resolve" and obj.resolved_at is not None:
            return False
        return await self.is_row_action_allowed(request, name)

    @row_action(
        name="resolve",
        text="Resolve",
        confirmation="Resolve this complaint?",
        icon_class="fa fa-check",
        submit_btn_text="Resolve",
        form=resolve_form,
        modal_size="md",
    )
    async def resolve(self, request: Request, pk: Any) -> None:
        note = await form_value(request, "reason")
        refund = await form_value(request, "refund") == "on"
        await self.run(
            request,
            lambda c, o: resolve_complaint(c, o, int(pk), note, refund_take=refund),
            "Complaint resolved" + (", take refunded" if refund else ""),
        )


class LedgerView(ReadOnlyView):
    sortable_fields: Any = ["id", "created_at", "amount"]
    fields_default_sort: Any = [("id", True)]
    searchable_fields: Any = ["type", "method", "order_id"]
    exclude_fields_from_list: Any = ["idempotency_key"]


class PaymentView(ReadOnlyView):
    sortable_fields: Any = ["created_at", "status", "stars"]
    fields_default_sort: Any = [("created_at", True)]
    searchable_fields: Any = ["id", "status"]
    exclude_fields_from_list: Any = ["invoice_url", "idempotency_key"]


class PaymentChargeView(ReadOnlyView):
    """Stars charges Telegram reported paid; an admin may refund one (Telegram's
    ``refundStarPayment``, then the credit is debited), as ``srochno payments refund``."""

    sortable_fields: Any = ["id", "created_at", "refunded_at", "stars"]
    fields_default_sort: Any = [("id", True)]
    searchable_fields: Any = ["telegram_payment_charge_id", "payment_id"]
    exclude_fields_from_list: Any = ["provider_payment_charge_id", "invoice_payload"]
    row_actions: Any = ["view", "refund"]

    async def is_row_action_allowed(self, request: Request, name: str) -> bool:
        if name == "refund":
            return moves_money(request)
        return await super().is_row_action_allowed(request, name)

    async def is_row_action_allowed_for_obj(self, request: Request, name: str, obj: Any) -> bool:
        if name == "refund" and obj.refunded_at is not None:
            return False
        return await self.is_row_action_allowed(request, name)

    @row_action(
        name="refund",
        text="Refund the payment",
        confirmation="Return these Stars to the payer? The credited rubles are debited.",
        icon_class="fa fa-rotate-left",
        submit_btn_text="Refund",
        form=reason_form("Reason"),
    )
    async def refund(self, request: Request, pk: Any) -> None:
        reason = await form_value(request, "reason")
        bot = self.context.bot
        await self.run(
            request,
            lambda c, o: refund_by_operator(c, o, bot, int(pk), reason),
            "Payment refunded",
        )


class TopupView(ReadOnlyView):
    """Ruble top-ups through YooKassa; an admin may refund a paid one (YooKassa's refund,
    then the credit is debited), as ``srochno payments refund-topup``."""

    sortable_fields: Any = ["created_at", "status", "amount_rub", "paid_at"]
    fields_default_sort: Any = [("created_at", True)]
    searchable_fields: Any = ["id", "status", "yookassa_payment_id"]
    exclude_fields_from_list: Any = ["confirmation_url", "idempotency_key", "receipt_email"]
    row_actions: Any = ["view", "refund"]

    async def is_row_action_allowed(self, request: Request, name: str) -> bool:
        if name == "refund":
            return moves_money(request)
        return await super().is_row_action_allowed(request, name)

    async def is_row_action_allowed_for_obj(self, request: Request, name: str, obj: Any) -> bool:
        if name == "refund" and obj.status != TopupStatus.paid:
            return False
        return await self.is_row_action_allowed(request, name)

    @row_action(
        name="refund",
        text="Refund the top-up",
        confirmation="Return these rubles to the payer through YooKassa? The credit is debited.",
        icon_class="fa fa-rotate-left",
        submit_btn_text="Refund",
        form=reason_form("Reason"),
    )
    async def refund(self, request: Request, pk: Any) -> None:
        reason = await form_value(request, "reason")
        context = self.context

        async def refund(conn: Connection, operator: Operator) -> Any:
            client = context.yookassa()
            vat_code = context.settings.yookassa_vat_code
            return await refund_topup_by_operator(conn, operator, client, vat_code, str(pk), reason)

        await self.run(request, refund, "Top-up refunded")


class AdminActionView(ReadOnlyView):
    sortable_fields: Any = ["id", "created_at", "action"]
    fields_default_sort: Any = [("id", True)]
    searchable_fields: Any = ["action", "admin_name", "target_id", "reason"]


PENDING = (
    select(
        OrderReport.order_id,
        func.count().label("reports"),
        func.min(OrderReport.created_at).label("first_at"),
    )
    .where(OrderReport.status == ReportStatus.pending.value)
    .group_by(OrderReport.order_id)
    .subquery("pending")
)
IN_QUEUE = or_(PENDING.c.reports.is_not(None), Order.status.in_(sorted(OPEN_STATUSES)))
QUEUE_ORDER = (
    PENDING.c.reports.desc().nulls_last(),
    PENDING.c.first_at,
    Order.created_at.desc(),
    Order.id,
)
QUEUE_STATE = "srochno_queue"
"""The attribute a listed order carries its :class:`PendingReports` and detector finding in."""


def queued(attribute: str) -> Callable[[Request, Any], Any]:
    def read(request: Request, obj: Any) -> Any:
        return getattr(obj, QUEUE_STATE)[attribute]

    return read


class ModerationView(ReadOnlyView):
    """The moderation queue: orders with reports waiting for a decision first (the most
    reports first, then the longest waiting), then the other open orders, newest first;
    each with its pending reports and what the contact detector finds in its public
    texts. Confirm closes the order (its takers refunded, a strike for its client);
    dismiss only closes the reports. Both need a reason and write the audit row."""

    fields: Any = [
        "id",
        "status",
        IntegerField("pending_reports", label="Reports", getter=queued("count")),
        ComputedField("report_reasons", label="Reasons", getter=queued("reasons")),
        ComputedField("detector", label="Detector finds", getter=queued("detector")),
        "category",
        "city",
        "description",
        ComputedField("report_comments", label="Reporters' comments", getter=queued("comments")),
        "owner_id",
        "executors_count",
        "created_at",
        "closed_at",
    ]
    exclude_fields_from_list: Any = ["report_comments", "closed_at"]
    searchable_fields: Any = ["id", "city", "description"]
    sortable_fields: Any = []
    row_actions: Any = ["view", "confirm", "dismiss"]

    def get_list_query(self, request: Request) -> Select[Any]:
        query = select(Order).outerjoin(PENDING, PENDING.c.order_id == Order.id)
        return query.where(IN_QUEUE).order_by(*QUEUE_ORDER)

    def get_detail_query(self, request: Request) -> Select[Any]:
        return select(Order)  # any order opens, decided ones included

    def get_count_query(self, request: Request) -> Select[Any]:
        query = select(func.count()).select_from(Order)
        return query.outerjoin(PENDING, PENDING.c.order_id == Order.id).where(IN_QUEUE)

    async def find_all(
        self,
        request: Request,
        skip: int = 0,
        limit: int = 100,
        q: str | None = None,
        sorts: Sequence[tuple[str, str]] | None = None,
        filters: Any = None,
    ) -> Sequence[Any]:
        # The queue has one order of its own: a column sort asked for is not applied.
        orders = await super().find_all(request, skip, limit, q, None, filters)
        await self.annotate(orders)
        return orders

    async def find_by_pk(self, request: Request, pk: Any) -> Any:
        order = await super().find_by_pk(request, pk)
        if order is not None:
            await self.annotate([order])
        return order

    async def annotate(self, orders: Sequence[Any]) -> None:
        async with self.context.connection() as conn:
            reports = await pending_reports(conn, [order.id for order in orders])
        for order in orders:
            summary: PendingReports = reports[order.id]
            state = {
                "count": summary.count,
                "reasons": summary.reasons_text(),
                "comments": " · ".join(summary.comments) or "none",
                "detector": detector_findings(order.description, order.city),
            }
            setattr(order, QUEUE_STATE, state)

    async def is_row_action_allowed_for_obj(self, request: Request, name: str, obj: Any) -> bool:
        if name in ("confirm", "dismiss") and not getattr(obj, QUEUE_STATE)["count"]:
            return False
        return await self.is_row_action_allowed(request, name)

    @row_action(
        name="confirm",
        text="Confirm the reports",
        confirmation=(
            "Confirm the reports? The order is closed (deleted), its takers get their price "
            "back if it was open, and its client gets a strike (STRIKES_TO_BAN strikes ban)."
        ),
        icon_class="fa fa-gavel",
        submit_btn_text="Confirm",
        form=reason_form("Reason"),
    )
    async def confirm(self, request: Request, pk: Any) -> None:
        reason = await form_value(request, "reason")
        strikes_to_ban = self.context.settings.strikes_to_ban

        def done(result: dict[str, Any]) -> str:
            banned = ", client banned" if result["banned"] else ""
            return (
                f"Reports confirmed: order closed, {result['refunds']} take(s) refunded "
                f"({result['refunded']} ₽), client at {result['strikes']} strike(s){banned}"
            )

        await self.run(
            request,
            lambda c, o: confirm_reports(c, o, str(pk), reason, strikes_to_ban=strikes_to_ban),
            done,
        )

    @row_action(
        name="dismiss",
        text="Dismiss the reports",
        confirmation="Dismiss the reports? The order stays as it is; no strike.",
        icon_class="fa fa-circle-check",
        submit_btn_text="Dismiss",
        form=reason_form("Note"),
    )
    async def dismiss(self, request: Request, pk: Any) -> None:
        note = await form_value(request, "reason")
        await self.run(
            request, lambda c, o: dismiss_reports(c, o, str(pk), note), "Reports dismissed"
        )


class ReportView(ReadOnlyView):
    """Every report and its decision (the queue shows the pending ones)."""

    fields: Any = [
        "id",
        "order_id",
        "reporter_id",
        "reason",
        "comment",
        "status",
        "created_at",
        "decided_at",
        "decided_by_id",
    ]
    sortable_fields: Any = ["id", "created_at", "status", "decided_at"]
    fields_default_sort: Any = [("id", True)]
    searchable_fields: Any = ["order_id", "reason", "status", "comment"]


def model_views(context: AdminContext) -> list[ReadOnlyView]:
    return [
        ModerationView(
            Order,
            context,
            icon="fa fa-gavel",
            key="moderation",
            menu_label="Moderation queue",
            display_name="Reported order",
        ),
        UserView(User, context, icon="fa fa-users", key="users", menu_label="Users"),
        OrderView(Order, context, icon="fa fa-bolt", key="orders", menu_label="Orders"),
        TakeView(Take, context, icon="fa fa-hand", key="takes", menu_label="Takes"),
        ReviewView(Review, context, icon="fa fa-star", key="reviews", menu_label="Reviews"),
        ComplaintView(
            Complaint, context, icon="fa fa-flag", key="complaints", menu_label="Complaints"
        ),
        ReportView(
            OrderReport,
            context,
            icon="fa fa-triangle-exclamation",
            key="reports",
            menu_label="Reports",
        ),
        LedgerView(
            LedgerEntry, context, icon="fa fa-book", key="ledger", menu_label="Ledger entries"
        ),
        PaymentView(
            Payment, context, icon="fa fa-star", key="payments", menu_label="Stars payments"
        ),
        PaymentChargeView(
            PaymentCharge, context, icon="fa fa-receipt", key="charges", menu_label="Stars charges"
        ),
        TopupView(Topup, context, icon="fa fa-ruble-sign", key="topups", menu_label="Top-ups"),
        AdminActionView(
            AdminAction,
            context,
            icon="fa fa-clipboard-list",
            key="admin-actions",
            menu_label="Admin actions",
        ),
    ]
