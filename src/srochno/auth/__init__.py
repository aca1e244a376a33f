"""Authentication of Mini App requests by Telegram initData."""
