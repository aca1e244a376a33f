"""Telegram initData validation: published vectors, every error path, and garbage inputs."""

from __future__ import annotations

import base64
import contextlib
import hashlib
import hmac
import json
from collections.abc import Mapping
from urllib.parse import quote

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat
from hypothesis import given
from hypothesis import strategies as st

from srochno.auth import telegram
from srochno.auth.errors import (
    InitDataExpired,
    InitDataInvalid,
    InitDataMalformed,
    InitDataNoUser,
)
from srochno.auth.telegram import (
    PRODUCTION_PUBLIC_KEY,
    TEST_PUBLIC_KEY,
    InitData,
    TelegramUser,
    parse_init_data,
    sign_init_data,
    validate_init_data,
)
from srochno.errors import AppError

# --- published vectors -------------------------------------------------------------------

# The example of the Telegram Mini Apps documentation, also the fixture of
# Telegram-Mini-Apps/init-data-golang validate_test.go and sign_test.go and of
# Telegram-Mini-Apps/telegram-apps packages/init-data-node (README).
DOCS_TOKEN = "5768337691:AAH5YkoiEuPk8-FZa32hStHTqXiLPtAEhx8"
DOCS_AUTH_DATE = 1662771648
DOCS_INIT_DATA = (
    "query_id=AAHdF6IQAAAAAN0XohDhrOrc"
    "&user=%7B%22id%22%3A279058397%2C%22first_name%22%3A%22Vladislav%22%2C%22last_name%22"
    "%3A%22Kibenko%22%2C%22username%22%3A%22vdkfrost%22%2C%22language_code%22%3A%22ru%22"
    "%2C%22is_premium%22%3Atrue%7D"
    "&auth_date=1662771648"
    "&hash=c501b71e775f74ce10e377dea85a7ea24ecd640b223ea86dfe453e0eaed2e2b2"
)

# Newer initData carrying a `signature` field, with `\/` escapes in the JSON and `%20` spaces.
# Telegram-Mini-Apps/telegram-apps packages/init-data-node/src/entries/web.test.ts (`sp` and
# `secretToken`, validated there with the token); the same string is the third-party vector
# of Telegram-Mini-Apps/init-data-golang validate_third_party_test.go (bot 7342037359),
# of packages/init-data-node/src/entries/shared.test.ts and of
# sanvew/telegram-init-data src/test/java/.../InitDataUtilsTest.java.
SIGNED_TOKEN = "7342037359:AAFZehRPBRs8Seg40oDjTMIW8uTGPuW1zfQ"
SIGNED_BOT_ID = 7342037359
SIGNED_AUTH_DATE = 1733584787
SIGNED_INIT_DATA = (
    "user=%7B%22id%22%3A279058397%2C%22first_name%22%3A%22Vladislav%20%2B%20-%20%3F%20%5C%2F"
    "%22%2C%22last_name%22%3A%22Kibenko%22%2C%22username%22%3A%22vdkfrost%22%2C"
    "%22language_code%22%3A%22ru%22%2C%22is_premium%22%3Atrue%2C%22allows_write_to_pm%22"
    "%3Atrue%2C%22photo_url%22%3A%22https%3A%5C%2F%5C%2Ft.me%5C%2Fi%5C%2Fuserpic%5C%2F320"
    "%5C%2F4FPEE4tmP3ATHa57u6MqTDih13LTOiMoKoLDRG4PnSA.svg%22%7D"
    "&chat_instance=8134722200314281151&chat_type=private&auth_date=1733584787"
    "&signature=zL-ucjNyREiHDE8aihFwpfR9aggP2xiAo3NSpfe-p7IbCisNlDKlo7Kb6G4D0Ao2mBrSgEk4ma"
    "LSdv6MLIlADQ"
    "&hash=2174df5b000556d044f3f020384e879c8efcab55ddea2ced4eb752e93e7080d6"
)
SIGNED_SIGNATURE = (
    "zL-ucjNyREiHDE8aihFwpfR9aggP2xiAo3NSpfe-p7IbCisNlDKlo7Kb6G4D0Ao2mBrSgEk4maLSdv6MLIlADQ"
)

# Telegram-Mini-Apps/telegram-apps packages/init-data-node/src/entries/shared.test.ts (`spOld`):
# `+` for spaces, a `signature` kept in the hashed string (it validates with SIGNED_TOKEN only
# when `signature` is part of the data-check-string), auth_date=1. The signature itself was
# copied from SIGNED_INIT_DATA, so it does not verify for these fields.
PLUS_INIT_DATA = (
    "auth_date=1&chat_instance=8134722200314281151&chat_type=private"
    "&user=%7B%22allows_write_to_pm%22%3Atrue%2C%22first_name%22%3A%22Vladislav+%2B+-+%3F+%2F"
    "%22%2C%22id%22%3A279058397%2C%22is_premium%22%3Atrue%2C%22language_code%22%3A%22ru%22%2C"
    "%22last_name%22%3A%22Kibenko%22%2C%22photo_url%22%3A%22https%3A%2F%2Ft.me%2Fi%2Fuserpic"
    "%2F320%2F4FPEE4tmP3ATHa57u6MqTDih13LTOiMoKoLDRG4PnSA.svg%22%2C%22username%22%3A%22vdkfrost"
    "%22%7D"
    "&signature=zL-ucjNyREiHDE8aihFwpfR9aggP2xiAo3NSpfe-p7IbCisNlDKlo7Kb6G4D0Ao2mBrSgEk4ma"
    "LSdv6MLIlADQ"
    "&hash=b2e387ba89f433607d2492aad63bb04328b0f3d28585fd149617c8ef129566a2"
)

# Telegram-Mini-Apps/telegram-apps packages/init-data-node/src/entries/node.test.ts (`sp`):
# chat and receiver objects, auth_date=1, signed with DOCS_TOKEN.
CHAT_INIT_DATA = (
    "auth_date=1&can_send_after=10000&chat=%7B%22id%22%3A1%2C%22type%22%3A%22group%22%2C"
    "%22title%22%3A%22chat-title%22%2C%22photo_url%22%3A%22group%22%2C%22username%22%3A"
    "%22my-chat%22%7D&chat_instance=888&chat_type=sender"
    "&hash=47cfa22e72b887cba90c9cb833c5ea0f599975b6ce7193741844b5c4a4228b40&query_id=QUERY"
    "&receiver=%7B%22added_to_attachment_menu%22%3Afalse%2C%22allows_write_to_pm%22%3Atrue%2C"
    "%22first_name%22%3A%22receiver-first-name%22%2C%22id%22%3A991%2C%22is_bot%22%3Afalse%2C"
    "%22is_premium%22%3Atrue%2C%22language_code%22%3A%22ru%22%2C%22last_name%22%3A"
    "%22receiver-last-name%22%2C%22photo_url%22%3A%22receiver-photo%22%2C%22username%22%3A"
    "%22receiver-username%22%7D&start_param=debug"
    "&user=%7B%22added_to_attachment_menu%22%3Afalse%2C%22allows_write_to_pm%22%3Afalse%2C"
    "%22first_name%22%3A%22user-first-name%22%2C%22id%22%3A222%2C%22is_bot%22%3Atrue%2C"
    "%22is_premium%22%3Afalse%2C%22language_code%22%3A%22en%22%2C%22last_name%22%3A"
    "%22user-last-name%22%2C%22photo_url%22%3A%22user-photo%22%2C%22username%22%3A"
    "%22user-username%22%7D"
)

# nimaxin/init-data-py tests/vectors.py: initData captured from Telegram with the tokens
# that signed them (PLAIN, UTF8, ESCAPED_SLASH).
PY_PLAIN_TOKEN = "7244657541:AAEgqk0HDC3WD5cdbnGMdd6L0TJ74FDp97Y"
PY_PLAIN_AUTH_DATE = 1722938610
PY_PLAIN = (
    "query_id=AAF03wc0AgAAAHTfBzROOCVW&user=%7B%22id%22%3A5167898484%2C%22"
    "first_name%22%3A%22xin%22%2C%22last_name%22%3A%22%22%2C%22username%22"
    "%3A%22pvnimaxin%22%2C%22language_code%22%3A%22en%22%2C%22allows_write"
    "_to_pm%22%3Atrue%7D&auth_date=1722938610&hash=8654c8c617c143abf656f4f"
    "159be2539880a56f58c2d9be622f90c0346aa162b"
)
PY_UTF8_TOKEN = "7244657541:AAHAJP25XehV6N02kiLLAEi2el-xLsSw29w"
PY_UTF8_AUTH_DATE = 1724048856
PY_UTF8 = (
    "query_id=AAF2GVE4AwAAAHYZUTgHczdc&user=%7B%22id%22%3A7387289974%2C%22"
    "first_name%22%3A%22%D0%90%D1%80%D1%82%D1%91%D0%BC%22%2C%22last_name%22"
    "%3A%22%D0%9E%D0%BD%D1%83%D1%84%D1%80%D0%B8%D0%B9%22%2C%22username%22"
    "%3A%22typexin%22%2C%22language_code%22%3A%22en%22%2C%22allows_write_to"
    "_pm%22%3Atrue%7D&auth_date=1724048856&hash=53b22bc70a748dae613a5aa9189"
    "0b387b9cc0356c5dcffca173816b6e40a17e5"
)
PY_SLASH_TOKEN = "7244657541:AAFMjYH4kc3U9zG0GWnxYfW-QKICVzDwvEw"
PY_SLASH_AUTH_DATE = 1731441609
PY_SLASH = (
    "query_id=AAF03wc0AgAAAHTfBzTtHPDB&user=%7B%22id%22%3A5167898484%2C%22"
    "first_name%22%3A%22xin%22%2C%22last_name%22%3A%22%22%2C%22username%22"
    "%3A%22pvnimaxin%22%2C%22language_code%22%3A%22en%22%2C%22allows_write"
    "_to_pm%22%3Atrue%2C%22photo_url%22%3A%22https%3A%5C%2F%5C%2Ft.me%5C%2F"
    "i%5C%2Fuserpic%5C%2F320%5C%2FYpcdHFmoxukmQ537mOZhe-Woot_k2xrmbdAIrGK1z"
    "FgIVth6Wzacz7P2nGNCcp9j.svg%22%7D&auth_date=1731441609&hash=f4bac82fe8"
    "f20abdc03126af489751752e830227b58241ec2f9dd67913909ee0"
)

# aiogram/aiogram tests/test_utils/test_web_app.py (token "42:TEST").
AIOGRAM_TOKEN = "42:TEST"
AIOGRAM_AUTH_DATE = 1650385342
AIOGRAM_INIT_DATA = (
    "auth_date=1650385342"
    "&user=%7B%22id%22%3A42%2C%22first_name%22%3A%22Test%22%7D"
    "&query_id=test"
    "&hash=46d2ea5e32911ec8d30999b56247654460c0d20949b6277af519e76271182803"
)
# Same file: a correctly hashed user whose id is the string "123456789" (`+` spaces, `\ud83c`).
AIOGRAM_STRING_ID = (
    "auth_date=1650385342"
    "&user=%7B%22id%22%3A+%22123456789%22%2C+%22first_name%22%3A+%22PlaceholderFirstName%22%2C"
    "+%22last_name%22%3A+%22PlaceholderLastName+%5Cud83c%5Cuddfa%5Cud83c%5Cudde6%22%2C"
    "+%22username%22%3A+%22Latand%22%2C+%22language_code%22%3A+%22en%22%2C+%22is_premium"
    "%22%3A+%22true%22%2C+%22allows_write_to_pm%22%3A+%22true%22%7D"
    "&query_id=test"
    "&hash=b3c8b293f14ad0f7f0abcf769aea1209a72295d30a87eb0e74df855d32e53bfe"
)

# swimmwatch/telegram-webapp-auth tests/test_validate_third_party.py: Ed25519, production key.
SWIMMWATCH_BOT_ID = 7544535829
SWIMMWATCH_AUTH_DATE = 1736353840
SWIMMWATCH_INIT_DATA = (
    "query_id=AAH1t3EVAAAAAPW3cRVyuBgH&"
    "user=%7B%22id%22%3A359774197%2C%22first_name%22%3A%22Dmitry%22%2C%22"
    "last_name%22%3A%22Vasiliev%22%2C%22language_code%22%3A%22en%22%2C%22"
    "allows_write_to_pm%22%3Atrue%2C%22"
    "photo_url%22%3A%22https%3A%5C%2F%5C%2Ft.me%5C%2Fi%5C%2Fuserpic%5C%2F320%5C%2F"
    "aUkVEo2bVNr6G41sIB2bNwCdbkwnaVS79N41WHr_ApQ.svg%22%7D&"
    "auth_date=1736353840&"
    "signature=s72bv8J1hwJanbDqlo9TTMK6Uf4WSwQKuPKK_Q16QBhKD0hfOfoYCOpRl_d8m_8AEI1_oF-9WCJuwW1"
    "KQy5-BA&"
    "hash=c0b008672bf1edae403293e790eec42d047ac6613a5799e1939fac5eca41a397"
)

# aiogram/aiogram tests/test_utils/test_web_app_signature.py: Ed25519 under aiogram's own key
# pair (not Telegram's), bot id 42; the second signature is aiogram's corrupted one.
AIOGRAM_PUBLIC_KEY = bytes.fromhex(
    "4112765021341e5415e772cd65903f6b94e3ea1c2ab669e6d3e18ee2db00da61"
)
AIOGRAM_SIGNED = (
    "auth_date=1650385342&user=%7B%22id%22%3A42%2C%22first_name%22%3A%22Test%22%7D&query_id=test"
    "&hash=123"
    "&signature=JQ0JR2tjC65yq_jNZV0wuJVX6J-SWPMV0mprUXG34g-NvxL4RcF1Rz5n4VVo00VRghEUBf5t___uoe"
    "b1-jU_Cw"
)
AIOGRAM_BAD_SIGNATURE = AIOGRAM_SIGNED.replace("jU_Cw", "j1U_w")

TOKEN = "123456:test-token"


def token_check(raw: str, token: str, *, now: float | None = None, max_age: int = 0) -> InitData:
    return validate_init_data(
        raw,
        bot_token=token,
        max_age_seconds=max_age,
        now=now if now is not None else 2_000_000_000,
    )


def third_party_check(raw: str, bot_id: int, *, test_environment: bool = False) -> InitData:
    return validate_init_data(
        raw,
        bot_id=bot_id,
        test_environment=test_environment,
        max_age_seconds=0,
        now=2_000_000_000,
    )


def reference_hash(fields: Mapping[str, str], token: str, *, drop: frozenset[str]) -> str:
    """HMAC of the data-check-string, computed here independently of the module."""
    lines = "\n".join(f"{k}={fields[k]}" for k in sorted(fields) if k not in drop)
    secret = hmac.new(b"WebAppData", token.encode(), hashlib.sha256).digest()
    return hmac.new(secret, lines.encode(), hashlib.sha256).hexdigest()


def signed(auth_date: int = 1_700_000_000, **fields: str) -> str:
    return sign_init_data({"auth_date": str(auth_date), **fields}, TOKEN)


def user_json(**attributes: object) -> str:
    return json.dumps({"id": 42, **attributes})


# --- token mode: published vectors -------------------------------------------------------


def test_documentation_example() -> None:
    data = token_check(DOCS_INIT_DATA, DOCS_TOKEN, now=DOCS_AUTH_DATE, max_age=3600)
    assert data.auth_date == DOCS_AUTH_DATE
    assert data.user == TelegramUser(
        id=279058397,
        first_name="Vladislav",
        last_name="Kibenko",
        username="vdkfrost",
        language_code="ru",
        photo_url=None,
        is_premium=True,
    )
    assert data.fields["query_id"] == "AAHdF6IQAAAAAN0XohDhrOrc"
    assert data.fields["hash"] == "c501b71e775f74ce10e377dea85a7ea24ecd640b223ea86dfe453e0eaed2e2b2"


def test_signature_field_is_part_of_the_hashed_string() -> None:
    data = token_check(SIGNED_INIT_DATA, SIGNED_TOKEN, now=SIGNED_AUTH_DATE, max_age=86400)
    assert data.user.id == 279058397
    assert data.user.first_name == "Vladislav + - ? /"
    assert data.user.photo_url == (
        "https://t.me/i/userpic/320/4FPEE4tmP3ATHa57u6MqTDih13LTOiMoKoLDRG4PnSA.svg"
    )
    assert data.fields["signature"].startswith("zL-ucjNy")
    # The published hash covers `signature`; leaving it out would give another hash.
    fields = parse_init_data(SIGNED_INIT_DATA)
    assert reference_hash(fields, SIGNED_TOKEN, drop=frozenset({"hash"})) == fields["hash"]
    assert (
        reference_hash(fields, SIGNED_TOKEN, drop=frozenset({"hash", "signature"}))
        != (fields["hash"])
    )


def test_escaped_slashes_are_hashed_as_received() -> None:
    data = token_check(SIGNED_INIT_DATA, SIGNED_TOKEN)
    assert "https:\\/\\/t.me" in data.fields["user"]
    slash = token_check(PY_SLASH, PY_SLASH_TOKEN, now=PY_SLASH_AUTH_DATE, max_age=60)
    assert "\\/" in slash.fields["user"]
    assert slash.user.photo_url is not None
    assert slash.user.photo_url.startswith("https://t.me/i/userpic/320/")


def test_cyrillic_names() -> None:
    data = token_check(PY_UTF8, PY_UTF8_TOKEN, now=PY_UTF8_AUTH_DATE, max_age=60)
    assert data.user.id == 7387289974
    assert data.user.first_name == "Артём"
    assert data.user.last_name == "Онуфрий"
    assert data.user.username == "typexin"
    assert data.user.is_premium is False


def test_plain_captured_vector() -> None:
    data = token_check(PY_PLAIN, PY_PLAIN_TOKEN, now=PY_PLAIN_AUTH_DATE, max_age=60)
    assert data.user.id == 5167898484
    assert data.user.last_name == ""
    assert data.user.photo_url is None


def test_plus_means_space_and_signature_stays_in() -> None:
    assert token_check(SIGNED_INIT_DATA.replace("%20", "+"), SIGNED_TOKEN).user.id == 279058397
    data = token_check(PLUS_INIT_DATA, SIGNED_TOKEN, now=1, max_age=60)
    assert data.auth_date == 1
    assert data.user.first_name == "Vladislav + - ? /"
    fields = parse_init_data(PLUS_INIT_DATA)
    assert (
        reference_hash(fields, SIGNED_TOKEN, drop=frozenset({"hash", "signature"}))
        != (fields["hash"])
    )


def test_chat_and_receiver_vector() -> None:
    data = token_check(CHAT_INIT_DATA, DOCS_TOKEN, now=1, max_age=60)
    assert data.user.id == 222
    assert data.user.photo_url == "user-photo"
    assert data.user.is_premium is False
    assert json.loads(data.fields["receiver"])["id"] == 991
    assert data.fields["start_param"] == "debug"


def test_aiogram_vector() -> None:
    data = token_check(AIOGRAM_INIT_DATA, AIOGRAM_TOKEN, now=AIOGRAM_AUTH_DATE, max_age=60)
    assert data.user.id == 42
    assert data.user.first_name == "Test"
    assert data.user.last_name is None
    with pytest.raises(InitDataInvalid):
        token_check(AIOGRAM_INIT_DATA, "42:INVALID")


def test_aiogram_string_id_vector_has_a_valid_hash_but_no_user() -> None:
    with pytest.raises(InitDataNoUser):
        token_check(AIOGRAM_STRING_ID, AIOGRAM_TOKEN)
    with pytest.raises(InitDataInvalid):
        token_check(AIOGRAM_STRING_ID, "42:INVALID")


@pytest.mark.parametrize(
    ("raw", "token"),
    [
        (DOCS_INIT_DATA, DOCS_TOKEN),
        (SIGNED_INIT_DATA, SIGNED_TOKEN),
        (PY_PLAIN, PY_PLAIN_TOKEN),
        (PY_UTF8, PY_UTF8_TOKEN),
        (PY_SLASH, PY_SLASH_TOKEN),
    ],
)
def test_sign_reproduces_published_strings(raw: str, token: str) -> None:
    assert sign_init_data(parse_init_data(raw), token) == raw


@pytest.mark.parametrize(
    ("raw", "token"),
    [
        (DOCS_INIT_DATA, DOCS_TOKEN),
        (SIGNED_INIT_DATA, SIGNED_TOKEN),
        (PY_UTF8, PY_UTF8_TOKEN),
        (PY_SLASH, PY_SLASH_TOKEN),
        (AIOGRAM_INIT_DATA, AIOGRAM_TOKEN),
    ],
)
def test_published_vectors_fail_with_another_token(raw: str, token: str) -> None:
    token_check(raw, token)
    with pytest.raises(InitDataInvalid):
        token_check(raw, token + "A")


# --- third-party mode (Ed25519) ----------------------------------------------------------


def test_third_party_telegram_mini_apps_vector() -> None:
    data = third_party_check(SIGNED_INIT_DATA, SIGNED_BOT_ID)
    assert data.user.id == 279058397
    assert data.auth_date == SIGNED_AUTH_DATE


def test_third_party_swimmwatch_vector() -> None:
    data = validate_init_data(
        SWIMMWATCH_INIT_DATA,
        bot_id=SWIMMWATCH_BOT_ID,
        max_age_seconds=3600,
        now=SWIMMWATCH_AUTH_DATE + 10,
    )
    assert data.user.id == 359774197
    assert data.user.first_name == "Dmitry"


def test_third_party_ignores_the_hash() -> None:
    tampered = SIGNED_INIT_DATA.replace("hash=2174df5b", "hash=0000000b")
    assert third_party_check(tampered, SIGNED_BOT_ID).user.id == 279058397
    without_hash = SIGNED_INIT_DATA.rsplit("&hash=", 1)[0]
    assert third_party_check(without_hash, SIGNED_BOT_ID).user.id == 279058397


@pytest.mark.parametrize(
    "raw",
    [
        SIGNED_INIT_DATA.replace("chat_type=private", "chat_type=group"),
        SIGNED_INIT_DATA.replace("Kibenko", "Kibenk0"),
        SIGNED_INIT_DATA.replace("auth_date=1733584787", "auth_date=1733584788"),
        SIGNED_INIT_DATA + "&start_param=x",
        SIGNED_INIT_DATA.replace("signature=zL-", "signature=zL_"),
    ],
)
def test_third_party_tampered_field(raw: str) -> None:
    with pytest.raises(InitDataInvalid):
        third_party_check(raw, SIGNED_BOT_ID)


def test_third_party_wrong_environment_or_bot() -> None:
    with pytest.raises(InitDataInvalid):
        third_party_check(SIGNED_INIT_DATA, SIGNED_BOT_ID, test_environment=True)
    with pytest.raises(InitDataInvalid):
        third_party_check(SWIMMWATCH_INIT_DATA, SWIMMWATCH_BOT_ID, test_environment=True)
    with pytest.raises(InitDataInvalid):
        third_party_check(SIGNED_INIT_DATA, SIGNED_BOT_ID + 1)


def test_third_party_signature_copied_to_other_fields() -> None:
    with pytest.raises(InitDataInvalid):
        third_party_check(PLUS_INIT_DATA, SIGNED_BOT_ID)


@pytest.mark.parametrize(
    ("signature", "message"),
    [
        (None, "no signature"),
        ("", "no signature"),
        ("abc", "not base64url"),
        ("zL+" + SIGNED_SIGNATURE[3:], "not base64url"),
        (SIGNED_SIGNATURE[:-1], "not base64url"),
        (SIGNED_SIGNATURE + "=", "not base64url"),
        ("Ж" * 86, "not base64url"),
        ("A" * 86, "Invalid signature"),
    ],
)
def test_third_party_bad_signature(signature: str | None, message: str) -> None:
    fields = parse_init_data(SIGNED_INIT_DATA)
    del fields["signature"]
    if signature is not None:
        fields["signature"] = signature
    raw = "&".join(f"{quote(k, safe='')}={quote(v, safe='')}" for k, v in fields.items())
    with pytest.raises(InitDataInvalid, match=message):
        third_party_check(raw, SIGNED_BOT_ID)


def test_third_party_aiogram_vector(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(telegram, "PRODUCTION_PUBLIC_KEY", AIOGRAM_PUBLIC_KEY)
    data = third_party_check(AIOGRAM_SIGNED, 42)
    assert data.user.first_name == "Test"
    assert data.fields["hash"] == "123"
    with pytest.raises(InitDataInvalid):
        third_party_check(AIOGRAM_BAD_SIGNATURE, 42)
    with pytest.raises(InitDataInvalid):
        third_party_check(AIOGRAM_SIGNED.split("&hash=")[0], 42)
    with pytest.raises(InitDataInvalid):
        third_party_check(AIOGRAM_SIGNED, 42, test_environment=True)


def test_third_party_key_follows_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    private_key = Ed25519PrivateKey.generate()
    public_key = private_key.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
    fields = {"auth_date": "1700000000", "user": user_json(first_name="Ed")}
    message = "777:WebAppData\n" + "\n".join(f"{k}={fields[k]}" for k in sorted(fields))
    signature = base64.urlsafe_b64encode(private_key.sign(message.encode())).decode().rstrip("=")
    raw = sign_init_data({**fields, "signature": signature}, TOKEN)

    monkeypatch.setattr(telegram, "TEST_PUBLIC_KEY", public_key)
    assert third_party_check(raw, 777, test_environment=True).user.first_name == "Ed"
    with pytest.raises(InitDataInvalid):
        third_party_check(raw, 777, test_environment=False)
    padded = raw.replace(signature, signature + "==")
    assert third_party_check(padded, 777, test_environment=True).user.id == 42


def test_token_takes_precedence_over_bot_id() -> None:
    with pytest.raises(InitDataInvalid):
        validate_init_data(
            SIGNED_INIT_DATA,
            bot_token="1:wrong",
            bot_id=SIGNED_BOT_ID,
            max_age_seconds=0,
            now=SIGNED_AUTH_DATE,
        )


# --- malformed ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ("", "empty"),
        ("auth_date", "has no '='"),
        ("test&foo=bar=baz", "has no '='"),
        ("auth_date=1&hash=x&", "has no '='"),
        ("auth_date=1&&hash=x", "has no '='"),
        ("=x&auth_date=1", "empty key"),
        ("auth_date=1&auth_date=1", "Duplicate key 'auth_date'"),
        ("auth_date=1&query_id=a&query%5Fid=b", "Duplicate key 'query_id'"),
        ("auth_date=1&hash=a&hash=b", "Duplicate key 'hash'"),
        ("auth_date=1&user=%zz", "percent escape"),
        ("auth_date=1&user=%4", "percent escape"),
        ("auth_date=1&user=100%", "percent escape"),
        ("auth_date=1&user=%C3%28", "UTF-8"),
        ("auth_date=1&user=%ED%A0%80", "UTF-8"),
        ("auth_date=1&user=Ж", "ASCII"),
        ("auth_date=1&user=\udc80", "ASCII"),
        ("auth_date=1&x=" + "a" * telegram.MAX_RAW_LENGTH, "too long"),
    ],
)
def test_malformed_query_string(raw: str, message: str) -> None:
    with pytest.raises(InitDataMalformed, match=message):
        parse_init_data(raw)
    with pytest.raises(InitDataMalformed):
        token_check(raw, TOKEN)
    with pytest.raises(InitDataMalformed):
        third_party_check(raw, 1)


@pytest.mark.parametrize(
    "raw",
    [
        "query_id=x&hash=" + "0" * 64,
        "auth_date=&hash=" + "0" * 64,
        "auth_date=abc&hash=x",
        "auth_date=1.5&hash=x",
        "auth_date=-1&hash=x",
        "auth_date=%2B1&hash=x",
        "auth_date=+1&hash=x",
        "auth_date=1_000&hash=x",
        "auth_date=%D9%A1&hash=x",
        "auth_date=" + "9" * 19 + "&hash=x",
        "auth_date=" + "9" * 5000 + "&hash=x",
    ],
)
def test_missing_or_non_integer_auth_date(raw: str) -> None:
    with pytest.raises(InitDataMalformed, match="auth_date"):
        token_check(raw, TOKEN)
    with pytest.raises(InitDataMalformed, match="auth_date"):
        third_party_check(raw, 1)


def test_parse_decodes_once() -> None:
    fields = parse_init_data("a=1+2%2B3&b%20c=x%253D&d=&e=f=g&%E2%9C%93=%F0%9F%98%80")
    assert fields == {"a": "1 2+3", "b c": "x%3D", "d": "", "e": "f=g", "✓": "😀"}


# --- invalid -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ("auth_date=1&user=x", "no hash"),
        ("auth_date=1&user=x&hash=", "no hash"),
        ("auth_date=1&hash=" + "g" * 64, "hexadecimal"),
        ("auth_date=1&hash=abc", "hexadecimal"),
        ("auth_date=1&hash=" + "0" * 65, "hexadecimal"),
        ("auth_date=1&hash=" + "0" * 63, "hexadecimal"),
        ("auth_date=1&hash=%C3%A9%C3%A9%C3%A9", "hexadecimal"),
        ("auth_date=1&hash=" + "00" * 31 + "%20%20", "hexadecimal"),
        ("auth_date=1&hash=" + "0" * 64, "Invalid hash - data integrity check failed"),
    ],
)
def test_bad_hash(raw: str, message: str) -> None:
    with pytest.raises(InitDataInvalid, match=message):
        token_check(raw, TOKEN)


def test_wrong_hash_has_the_default_message() -> None:
    raw = DOCS_INIT_DATA.replace("hash=c501", "hash=c502")
    with pytest.raises(InitDataInvalid) as caught:
        token_check(raw, DOCS_TOKEN)
    assert caught.value.detail == "Invalid hash - data integrity check failed"
    assert caught.value.code == "init_data_invalid"


def test_uppercase_hash_is_refused() -> None:
    fields = parse_init_data(DOCS_INIT_DATA)
    upper = DOCS_INIT_DATA.replace(fields["hash"], fields["hash"].upper())
    with pytest.raises(InitDataInvalid):
        token_check(upper, DOCS_TOKEN)


@pytest.mark.parametrize(
    "raw",
    [
        DOCS_INIT_DATA.replace("Kibenko", "Kibenk0"),
        DOCS_INIT_DATA.replace("279058397", "279058398"),
        DOCS_INIT_DATA.replace("auth_date=1662771648", "auth_date=1662771649"),
        DOCS_INIT_DATA.replace("query_id=AAHdF6IQAAAAAN0XohDhrOrc&", ""),
        DOCS_INIT_DATA + "&start_param=x",
        DOCS_INIT_DATA + "&signature=x",
        SIGNED_INIT_DATA.replace("signature=zL-", "signature=zL_"),
        SIGNED_INIT_DATA.replace("%5C%2F", "%2F"),
        SIGNED_INIT_DATA.replace("%20", "%2520", 1),
    ],
)
def test_tampered_field(raw: str) -> None:
    # Each sample is checked under both tokens, so the right one is always among them.
    for token in (DOCS_TOKEN, SIGNED_TOKEN):
        with pytest.raises(InitDataInvalid):
            token_check(raw, token)


# --- expired -----------------------------------------------------------------------------


def test_age_limit() -> None:
    raw = signed(auth_date=1_700_000_000, user=user_json())
    assert token_check(raw, TOKEN, now=1_700_003_600, max_age=3600).auth_date == 1_700_000_000
    assert token_check(raw, TOKEN, now=1_700_003_600.5, max_age=3601).user.id == 42
    with pytest.raises(InitDataExpired, match="expired"):
        token_check(raw, TOKEN, now=1_700_003_600.5, max_age=3600)
    with pytest.raises(InitDataExpired):
        token_check(raw, TOKEN, now=1_700_003_601, max_age=3600)


def test_published_vector_too_old() -> None:
    with pytest.raises(InitDataExpired):
        token_check(DOCS_INIT_DATA, DOCS_TOKEN, now=DOCS_AUTH_DATE + 86401, max_age=86400)
    with pytest.raises(InitDataExpired):
        validate_init_data(
            SIGNED_INIT_DATA, bot_id=SIGNED_BOT_ID, max_age_seconds=1, now=SIGNED_AUTH_DATE + 2
        )


def test_auth_date_in_the_future() -> None:
    raw = signed(auth_date=1_700_000_000, user=user_json())
    assert token_check(raw, TOKEN, now=1_700_000_000 - 60, max_age=3600).user.id == 42
    with pytest.raises(InitDataExpired, match="future"):
        token_check(raw, TOKEN, now=1_700_000_000 - 60.5, max_age=3600)
    with pytest.raises(InitDataExpired, match="future"):
        token_check(raw, TOKEN, now=1_700_000_000 - 61, max_age=0)
    far_future = signed(auth_date=10**17, user=user_json())
    with pytest.raises(InitDataExpired):
        token_check(far_future, TOKEN, now=1_700_000_000, max_age=0)


def test_zero_max_age_disables_only_the_age_check() -> None:
    raw = signed(auth_date=1, user=user_json())
    assert token_check(raw, TOKEN, now=2_000_000_000, max_age=0).auth_date == 1


# --- no user -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "user",
    [
        None,
        "",
        "not json",
        "{",
        "[" * 20_000,
        "[1, 2]",
        '"id"',
        "42",
        "null",
        "{}",
        '{"first_name": "x"}',
        '{"id": "42"}',
        '{"id": 42.0}',
        '{"id": 4.2e1}',
        '{"id": true}',
        '{"id": false}',
        '{"id": null}',
        '{"id": [42]}',
        '{"id": 0}',
        '{"id": -5}',
        '{"id": 9223372036854775808}',
        '{"id": ' + "9" * 5000 + "}",
        '{"id": NaN}',
    ],
)
def test_no_user(user: str | None) -> None:
    raw = signed(user=user) if user is not None else signed(query_id="q")
    with pytest.raises(InitDataNoUser):
        token_check(raw, TOKEN)


@pytest.mark.parametrize("user_id", [1, 2**31 + 1, 2**53 + 1, 2**63 - 1])
def test_large_user_ids(user_id: int) -> None:
    raw = signed(user=json.dumps({"id": user_id}))
    assert token_check(raw, TOKEN).user.id == user_id


def test_optional_user_fields() -> None:
    raw = signed(
        user=json.dumps(
            {
                "id": 7,
                "first_name": 5,
                "last_name": None,
                "username": ["u"],
                "language_code": {"x": 1},
                "photo_url": True,
                "is_premium": "true",
                "unknown": {"nested": [1, 2]},
            }
        )
    )
    assert token_check(raw, TOKEN).user == TelegramUser(
        id=7,
        first_name=None,
        last_name=None,
        username=None,
        language_code=None,
        photo_url=None,
        is_premium=False,
    )


@pytest.mark.parametrize(("value", "expected"), [(True, True), (1, False), (False, False)])
def test_is_premium_only_when_true(value: object, expected: bool) -> None:
    raw = signed(user=user_json(is_premium=value))
    assert token_check(raw, TOKEN).user.is_premium is expected


# --- order of checks ---------------------------------------------------------------------


def test_order_of_checks() -> None:
    bad_hash = "auth_date=1&user=%7B%7D&hash=" + "0" * 64
    with pytest.raises(InitDataMalformed):
        token_check(bad_hash + "&auth_date=2", TOKEN)
    with pytest.raises(InitDataInvalid):
        token_check(bad_hash, TOKEN, now=10**9, max_age=60)
    expired_without_user = signed(auth_date=1, query_id="q")
    with pytest.raises(InitDataExpired):
        token_check(expired_without_user, TOKEN, now=10**9, max_age=60)
    with pytest.raises(InitDataNoUser):
        token_check(expired_without_user, TOKEN, now=10**9, max_age=0)


# --- programming errors ------------------------------------------------------------------


def test_programming_errors() -> None:
    with pytest.raises(ValueError, match="bot_token or bot_id"):
        validate_init_data(DOCS_INIT_DATA, max_age_seconds=0, now=0)
    with pytest.raises(ValueError, match="bot_token or bot_id"):
        validate_init_data("", max_age_seconds=0, now=0)
    with pytest.raises(ValueError, match="empty"):
        validate_init_data(DOCS_INIT_DATA, bot_token="", max_age_seconds=0, now=0)
    with pytest.raises(ValueError, match="positive"):
        validate_init_data(DOCS_INIT_DATA, bot_id=0, max_age_seconds=0, now=0)
    with pytest.raises(ValueError, match="negative"):
        validate_init_data(DOCS_INIT_DATA, bot_token=DOCS_TOKEN, max_age_seconds=-1, now=0)
    with pytest.raises(ValueError, match="empty"):
        sign_init_data({"auth_date": "1"}, "")
    with pytest.raises(ValueError, match="empty"):
        sign_init_data({"": "1"}, TOKEN)


# --- result ------------------------------------------------------------------------------


def test_fields_are_read_only_and_complete() -> None:
    data = token_check(SIGNED_INIT_DATA, SIGNED_TOKEN)
    assert set(data.fields) == {
        "user",
        "chat_instance",
        "chat_type",
        "auth_date",
        "signature",
        "hash",
    }
    with pytest.raises(TypeError):
        data.fields["hash"] = "x"  # type: ignore[index]


def test_public_keys() -> None:
    assert len(PRODUCTION_PUBLIC_KEY) == 32
    assert len(TEST_PUBLIC_KEY) == 32
    assert PRODUCTION_PUBLIC_KEY.hex().startswith("e7bf03a2")
    assert TEST_PUBLIC_KEY.hex().startswith("40055058")


# --- round trip --------------------------------------------------------------------------


def _round_trip_sample() -> str:
    return signed(
        auth_date=1_700_000_000,
        query_id="AAHdF6IQAAAAAN0XohDhrOrc",
        user=json.dumps(
            {
                "id": 5167898484,
                "first_name": "Артём & Co = 100% +1",
                "username": "u_1",
                "photo_url": "https://t.me/i/userpic/320/x.svg",
            },
            ensure_ascii=False,
        ).replace("/", "\\/"),  # escaped slashes, as Telegram sends them
        start_param="ref-1",
        signature="zL-ucjNyREiHDE8aihFwpfR9aggP2xiAo3NSpfe",
    )


def test_round_trip() -> None:
    raw = _round_trip_sample()
    assert raw.isascii()
    assert raw.rsplit("&", 1)[1].startswith("hash=")
    data = token_check(raw, TOKEN, now=1_700_000_010, max_age=60)
    assert data.user.first_name == "Артём & Co = 100% +1"
    assert data.user.photo_url == "https://t.me/i/userpic/320/x.svg"
    assert "\\/" in data.fields["user"]
    assert data.fields["signature"] == "zL-ucjNyREiHDE8aihFwpfR9aggP2xiAo3NSpfe"
    assert sign_init_data(data.fields, TOKEN) == raw


def test_sign_replaces_an_existing_hash() -> None:
    raw = sign_init_data({"auth_date": "1", "hash": "0" * 64, "user": user_json()}, TOKEN)
    assert raw.count("hash=") == 1
    assert token_check(raw, TOKEN).user.id == 42


def test_changing_any_byte_fails() -> None:
    raw = _round_trip_sample()
    for position, char in enumerate(raw):
        for changed in (
            raw[:position] + ("0" if char != "0" else "1") + raw[position + 1 :],
            raw[:position] + raw[position + 1 :],
        ):
            with pytest.raises((InitDataInvalid, InitDataMalformed)):
                token_check(changed, TOKEN)


# --- garbage never escapes as another exception -------------------------------------------


def _only_app_errors(raw: str) -> None:
    for check in (
        lambda: parse_init_data(raw),
        lambda: token_check(raw, TOKEN, now=1_700_000_000, max_age=3600),
        lambda: third_party_check(raw, 1),
        lambda: third_party_check(raw, 1, test_environment=True),
    ):
        with contextlib.suppress(AppError):
            check()


@given(st.text())
def test_text_never_raises_other_errors(raw: str) -> None:
    _only_app_errors(raw)


@given(st.binary().map(lambda b: b.decode("latin-1")))
def test_binary_never_raises_other_errors(raw: str) -> None:
    _only_app_errors(raw)


@given(st.text(alphabet="&=%+_-.0123456789abcdefhinqrstuyAFZЖ\n\x00", max_size=300))
def test_query_like_text_never_raises_other_errors(raw: str) -> None:
    _only_app_errors(raw)
    _only_app_errors("auth_date=1700000000&" + raw)


@given(
    st.dictionaries(
        st.sampled_from(["auth_date", "hash", "user", "signature", "query_id", "x"]),
        st.text(max_size=100),
        max_size=6,
    )
)
def test_encoded_fields_never_raise_other_errors(fields: dict[str, str]) -> None:
    raw = "&".join(f"{quote(k, safe='')}={quote(v, safe='')}" for k, v in fields.items())
    _only_app_errors(raw)


@given(st.text(max_size=200), st.integers(min_value=0, max_value=10**18 - 1))
def test_signed_garbage_user_never_raises_other_errors(user: str, auth_date: int) -> None:
    raw = signed(auth_date=auth_date, user=user)
    try:
        data = token_check(raw, TOKEN, now=1_700_000_000, max_age=3600)
    except AppError:
        return
    assert data.user.id > 0


@given(
    st.fixed_dictionaries(
        {"id": st.integers(min_value=1, max_value=2**63 - 1)},
        optional={
            "first_name": st.text(),
            "last_name": st.text(),
            "username": st.text(),
            "language_code": st.text(),
            "photo_url": st.text(),
            "is_premium": st.booleans(),
        },
    ),
    st.dictionaries(
        st.text(alphabet="abcdefghijklmnopqrstuvwxyz_", min_size=1, max_size=12).filter(
            lambda key: key not in {"auth_date", "hash", "user"}
        ),
        st.text(max_size=40),
        max_size=4,
    ),
)
def test_sign_round_trip_property(user: dict[str, object], extra: dict[str, str]) -> None:
    raw = signed(auth_date=1_700_000_000, user=json.dumps(user), **extra)
    data = token_check(raw, TOKEN, now=1_700_000_000, max_age=60)
    assert data.user.id == user["id"]
    assert data.user.first_name == user.get("first_name")
    assert data.user.is_premium is (user.get("is_premium") is True)
    assert all(data.fields[key] == value for key, value in extra.items())
