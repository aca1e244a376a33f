"""Clients rate executors; executors complain about clients."""
