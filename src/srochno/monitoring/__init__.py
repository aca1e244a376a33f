"""Observability: request metrics, the ``/metrics`` scrape, multiprocess files, Sentry."""
