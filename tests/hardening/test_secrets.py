"""Secrets, tokens and signatures received from outside (an unsubscribe link, a webhook
header, a metrics token, a sign-in or session token) are compared and hashed as bytes: any
text is merely wrong, never a 500 (``hmac.compare_digest`` on ``str`` raises a TypeError
for non-ASCII text)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from srochno.auth import web
from srochno.bot.router import secret_matches
from srochno.config import same_secret
from srochno.monitoring.scrape import authorized
from srochno.notifications.email import unsubscribe_signature, valid_unsubscribe
from srochno.staff import sessions

SRC = Path(__file__).resolve().parents[2] / "src" / "srochno"

# Any text: non-ASCII, NUL, lone surrogates (JSON bodies may carry them) included.
ANY_TEXT = st.text(alphabet=st.characters(codec=None, exclude_categories=()), max_size=80)


@given(ANY_TEXT, ANY_TEXT)
def test_any_two_texts_compare_without_error(a: str, b: str) -> None:
    assert same_secret(a, b) is (a == b)
    assert same_secret(a, a)


@given(signature=ANY_TEXT, user_id=st.integers(1, 2**40))
def test_an_unsubscribe_signature_of_any_text_is_only_wrong(settings, signature, user_id):
    right = unsubscribe_signature(settings, user_id)
    assert valid_unsubscribe(settings, user_id, signature) is (signature == right)
    assert valid_unsubscribe(settings, user_id, right)


@given(given_text=ANY_TEXT, secret=st.text(min_size=1, max_size=64))
def test_webhook_and_metrics_secrets_of_any_text_are_only_wrong(given_text, secret):
    assert secret_matches(secret, given_text) is (given_text == secret)
    assert authorized(f"Bearer {given_text}", secret) is (given_text.strip() == secret)


@given(ANY_TEXT)
def test_any_token_hashes_without_error(settings, token: str) -> None:
    assert re.fullmatch(r"[0-9a-f]{64}", web.token_hash(settings, token))
    assert re.fullmatch(r"[0-9a-f]{64}", sessions.token_hash(token))


def test_compare_digest_is_called_in_one_place_for_text() -> None:
    """Every comparison of received text goes through ``config.same_secret``; the only other
    caller compares bytes it decoded itself (the initData hash, checked as hex first)."""
    callers = {
        path.relative_to(SRC).as_posix()
        for path in SRC.rglob("*.py")
        if "compare_digest(" in path.read_text()
    }
    assert callers == {"config.py", "auth/telegram.py"}


MALFORMED = ["%C3%A9", "%FF", "%ED%A0%80", "%00", "%C3%A9" * 60, "%F0%9F%98%80x", "a%FFb"]


@pytest.mark.parametrize("signature", MALFORMED)
@pytest.mark.parametrize("method", ["GET", "POST"])
async def test_a_malformed_unsubscribe_link_is_invalid_not_an_error(client, method, signature):
    response = await client.request(method, f"/api/email/unsubscribe?u=1&s={signature}")
    assert response.status_code == 403, response.text
    assert response.json()["code"] == "unsubscribe_link_invalid"
