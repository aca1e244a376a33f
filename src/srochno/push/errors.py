from __future__ import annotations

from srochno.errors import AppError


class PushUnavailable(AppError):
    """Production without ``VAPID_PRIVATE_KEY``: nothing could sign a push."""

    status = 503
    code = "push_unavailable"
    message = "Web Push is not configured on this server"


class PushEndpointInvalid(AppError):
    status = 422
    code = "push_endpoint_invalid"
    message = "The subscription's endpoint must be an https:// URL of at most 2048 characters"


class PushEndpointNotAllowed(AppError):
    status = 422
    code = "push_endpoint_not_allowed"
    message = "The subscription's endpoint is not on a known push service"


class PushKeysInvalid(AppError):
    status = 422
    code = "push_keys_invalid"
    message = (
        "keys.p256dh must be a P-256 public key (65 bytes, base64url) and keys.auth a "
        "16-byte secret (base64url)"
    )
