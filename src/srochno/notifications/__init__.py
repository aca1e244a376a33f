"""Notifications (SPEC §13): what is enqueued in the business transactions, the jobs that
fan out and send, the shared rate gate, and the periodic work of ``srochno worker``."""
