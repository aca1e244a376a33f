from __future__ import annotations

import pytest
from pydantic import ValidationError

from srochno.config import ConfigurationError, Settings, dev_bot_token, load_settings


def test_development_is_the_default(monkeypatch, tmp_path):
    monkeypatch.chdir(tmp_path)
    for name in ("ENVIRONMENT", "DATABASE_URL", "TELEGRAM_BOT_TOKEN", "TELEGRAM_BOT_ID"):
        monkeypatch.delenv(name, raising=False)
    settings = load_settings()
    assert settings.is_development
    assert settings.dev_recharge_enabled
    assert settings.database_url is None
    token = settings.telegram_bot_token
    assert token is not None
    assert (tmp_path / ".srochno" / "dev-bot-token").read_text().strip() == token
    assert load_settings().telegram_bot_token == token  # kept, not regenerated


def _development(**values: object) -> Settings:
    return Settings(_env_file=None, environment="development", **values)  # type: ignore[call-arg]


def test_dev_recharge_follows_the_generated_token(tmp_path):
    generated = _development(data_dir=tmp_path).with_dev_token()
    assert generated.uses_generated_token
    assert generated.dev_recharge_enabled
    assert generated.start_warnings() == []
    # A real token in development is in effect a production deployment: no free money.
    real = _development(data_dir=tmp_path, telegram_bot_token="123:real").with_dev_token()
    assert not real.uses_generated_token
    assert not real.dev_recharge_enabled
    assert "not a production configuration" in real.start_warnings()[0]
    assert "TELEGRAM_BOT_TOKEN" in real.start_warnings()[0]
    # Only an explicit DEV_RECHARGE turns it on then, and it can turn it off too.
    assert _development(telegram_bot_token="123:real", dev_recharge=True).dev_recharge_enabled
    off = _development(data_dir=tmp_path, dev_recharge=False).with_dev_token()
    assert not off.dev_recharge_enabled
    # Overrides keep knowing where the token came from.
    assert generated.model_copy(update={"take_price": 5}).dev_recharge_enabled


def test_external_database_in_development_is_warned_about(tmp_path):
    settings = _development(data_dir=tmp_path, database_url="postgresql://db/x").with_dev_token()
    assert settings.dev_recharge_enabled  # the token is still the generated one
    assert "DATABASE_URL" in settings.start_warnings()[0]


def test_production_never_has_dev_recharge():
    settings = Settings(  # type: ignore[call-arg]
        _env_file=None,
        environment="production",
        telegram_bot_token="1:x",
        secret_key="s" * 32,
        database_url="postgresql://db/x",
        dev_recharge=True,
    )
    assert not settings.dev_recharge_enabled


def test_dev_token_looks_like_a_bot_token(tmp_path):
    bot_id, _, secret = dev_bot_token(tmp_path).partition(":")
    assert bot_id.isdigit()
    assert len(secret) >= 30


def test_production_refuses_to_start_without_secrets(monkeypatch):
    for name in ("DATABASE_URL", "TELEGRAM_BOT_TOKEN", "SECRET_KEY"):
        monkeypatch.delenv(name, raising=False)
    with pytest.raises(ConfigurationError) as error:
        Settings(_env_file=None, environment="production")  # type: ignore[call-arg]
    assert "TELEGRAM_BOT_TOKEN, SECRET_KEY, DATABASE_URL" in str(error.value)


def test_production_disables_dev_recharge():
    settings = Settings(  # type: ignore[call-arg]
        _env_file=None,
        environment="production",
        telegram_bot_token="1:x",
        secret_key="s" * 32,
        database_url="postgresql://db/x",
    )
    assert not settings.dev_recharge_enabled
    assert settings.with_dev_token().telegram_bot_token == "1:x"


def test_fractional_minutes_and_lists(monkeypatch):
    monkeypatch.setenv("NO_RESPONSE_MINUTES", "0.1")
    monkeypatch.setenv("CORS_ORIGINS", "https://a.example, https://b.example")
    settings = Settings(_env_file=None)  # type: ignore[call-arg]
    assert settings.no_response_timeout.total_seconds() == pytest.approx(6)
    assert settings.cors_origins == ["https://a.example", "https://b.example"]


def test_bad_numbers_are_refused(monkeypatch):
    monkeypatch.setenv("TAKE_PRICE", "-1")
    with pytest.raises(ValueError, match="take_price"):
        Settings(_env_file=None)  # type: ignore[call-arg]


def test_development_generates_one_vapid_key_in_the_data_folder(tmp_path):
    import stat

    from srochno.config import parse_vapid_private_key, vapid_private_key
    from srochno.push.vapid import application_server_key

    settings = Settings(_env_file=None, data_dir=tmp_path / "data")
    key = vapid_private_key(settings)
    assert key is not None
    path = tmp_path / "data" / "dev-vapid-private-key"
    assert path.read_text().strip() == key
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert vapid_private_key(settings) == key, "the same key on every start"
    parse_vapid_private_key(key)
    assert len(application_server_key(settings)) == 87  # 65 bytes, base64url


def test_production_has_no_vapid_key_unless_set(tmp_path):
    from srochno.config import new_vapid_private_key, vapid_private_key

    base = {
        "_env_file": None,
        "environment": "production",
        "telegram_bot_token": "1:x",
        "secret_key": "k" * 48,
        "database_url": "postgresql://x/y",
        "data_dir": tmp_path,
    }
    assert vapid_private_key(Settings(**base)) is None
    assert not list(tmp_path.iterdir()), "nothing generated in production"
    key = new_vapid_private_key()
    assert vapid_private_key(Settings(**base, vapid_private_key=key)) == key


def test_a_vapid_key_is_read_in_each_of_its_forms():
    import base64

    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import ec

    from srochno.config import parse_vapid_private_key

    key = ec.generate_private_key(ec.SECP256R1())
    number = key.private_numbers().private_value
    raw = base64.urlsafe_b64encode(number.to_bytes(32, "big")).rstrip(b"=").decode()
    pkcs8 = key.private_bytes(
        serialization.Encoding.DER,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.TraditionalOpenSSL,
        serialization.NoEncryption(),
    ).decode()
    der = base64.urlsafe_b64encode(pkcs8).decode()  # padded, as openssl | base64 gives it
    for text in (raw, der, pem, f"  {raw}\n"):
        assert parse_vapid_private_key(text).private_numbers().private_value == number


def test_a_bad_vapid_key_stops_the_start():
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import ec

    other_curve = (
        ec.generate_private_key(ec.SECP384R1())
        .private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
        .decode()
    )
    for bad in ("not-a-key", "AAAA", other_curve):
        with pytest.raises(ValidationError):
            Settings(_env_file=None, vapid_private_key=bad)
    with pytest.raises(ValidationError):
        Settings(_env_file=None, vapid_subject="ops@example.com")  # mailto: or https:// only
