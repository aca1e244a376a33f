"""The bot's handlers. Each receives, besides its event, the update's transaction
(``conn``), the ``settings`` and the ``outbox`` of Bot API calls made after the commit."""
