"""The Telegram Mini App: static files served at ``/app/`` and the development helpers."""
