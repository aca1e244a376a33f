from __future__ import annotations

import pytest

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
