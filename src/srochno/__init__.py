"""Srochno: the backend of a Telegram Mini App marketplace of urgent services."""

__version__ = "0.1.0"

from srochno.telegram import models_on_demand

models_on_demand.install()  # before anything imports aiogram (see the module)
