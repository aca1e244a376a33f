"""The Telegram Bot API kit: the client and its development session, the texts and links,
the errors. No update handling here: that is ``bot/``."""
