"""The bot's pure parts: the language rule, the order link, the webhook secret."""

from __future__ import annotations

import re

import pytest

from srochno.bot.handlers.commands import ORDER_START
from srochno.bot.router import secret_matches
from srochno.config import derive_webhook_secret
from srochno.telegram import texts
from srochno.telegram.links import order_app_url
from tests.conftest import make_settings


@pytest.mark.parametrize(
    ("code", "lang"),
    [
        (None, "ru"),
        ("", "ru"),
        ("ru", "ru"),
        ("uk", "ru"),
        ("be", "ru"),
        ("kk", "ru"),
        ("ru-RU", "ru"),
        ("en", "en"),
        ("en-US", "en"),
        ("de", "en"),
        ("pt-br", "en"),
    ],
)
def test_russian_unless_another_language_is_named(code, lang):
    assert texts.language(code) == lang


def test_every_command_has_both_languages_and_the_same_names():
    assert [name for name, _ in texts.COMMANDS["ru"]] == [name for name, _ in texts.COMMANDS["en"]]
    assert {name for name, _ in texts.COMMANDS["ru"]} == {
        "start",
        "balance",
        "help",
        "paysupport",
        "terms",
    }


def test_names_are_escaped_for_html():
    assert "&lt;b&gt;" in texts.welcome("en", "<b>Eve</b>")


def test_order_links():
    assert order_app_url("https://x.example/app/", "abc") == "https://x.example/app/#/order/abc"
    assert order_app_url("https://x.example/app/#old", "abc") == "https://x.example/app/#/order/abc"
    assert ORDER_START.fullmatch("order_AbC-12_xyz9") is not None
    assert ORDER_START.fullmatch("order_") is None
    assert ORDER_START.fullmatch("order_<script>") is None
    assert ORDER_START.fullmatch("order_0123456789abc") is None  # longer than an order id


def test_webhook_secret_is_derived_and_telegram_compatible():
    secret = derive_webhook_secret("some key")
    assert re.fullmatch(r"[A-Za-z0-9_-]{1,256}", secret)
    assert secret == derive_webhook_secret("some key") != derive_webhook_secret("other key")
    with_key = make_settings("postgresql://unused@localhost/x", secret_key="k")
    assert with_key.webhook_secret == derive_webhook_secret("k")
    no_key = make_settings("postgresql://unused@localhost/x")
    assert no_key.webhook_secret == derive_webhook_secret(no_key.telegram_bot_token)
    given = make_settings("postgresql://unused@localhost/x", telegram_webhook_secret="abc_DEF-1")
    assert given.webhook_secret == "abc_DEF-1"


@pytest.mark.parametrize("bad", ["has space", "a" * 257, "semi;colon", "ключ"])
def test_a_webhook_secret_telegram_would_refuse_is_a_configuration_error(bad):
    with pytest.raises(ValueError, match="telegram_webhook_secret"):
        make_settings("postgresql://unused@localhost/x", telegram_webhook_secret=bad)


def test_secret_comparison():
    assert secret_matches("abc", "abc")
    assert not secret_matches("abc", "abd")
    assert not secret_matches("abc", None)
    assert not secret_matches(None, "abc")
    assert not secret_matches("abc", "абв")
