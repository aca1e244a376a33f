"""Database tables by domain. Invariants that money depends on are constraints here, not
only code. The models are the schema's source for Alembic; the request paths use the
Core statements of each domain's repository."""

from srochno.models.base import Base
from srochno.models.events import OrderEvent, RateLimitWindow
from srochno.models.ledger import LedgerEntry
from srochno.models.notifications import (
    DutyArea,
    InstantSubscriber,
    NotificationChat,
    NotificationDelivery,
    NotificationGate,
    NotificationRun,
)
from srochno.models.operations import WorkerHeartbeat
from srochno.models.orders import Order, Take
from srochno.models.payments import Payment, PaymentCharge, TelegramUpdate, Topup
from srochno.models.push import PushSubscription
from srochno.models.reports import OrderReport
from srochno.models.reviews import Complaint, Review
from srochno.models.staff import (
    AdminAction,
    AdminLoginAttempt,
    AdminSession,
    AdminSignIn,
    AdminUser,
)
from srochno.models.users import User
from srochno.models.web import EmailSignIn, WebSession

__all__ = [
    "AdminAction",
    "AdminLoginAttempt",
    "AdminSession",
    "AdminSignIn",
    "AdminUser",
    "Base",
    "Complaint",
    "DutyArea",
    "EmailSignIn",
    "InstantSubscriber",
    "LedgerEntry",
    "NotificationChat",
    "NotificationDelivery",
    "NotificationGate",
    "NotificationRun",
    "Order",
    "OrderEvent",
    "OrderReport",
    "Payment",
    "PaymentCharge",
    "PushSubscription",
    "RateLimitWindow",
    "Review",
    "Take",
    "TelegramUpdate",
    "Topup",
    "User",
    "WebSession",
    "WorkerHeartbeat",
]
