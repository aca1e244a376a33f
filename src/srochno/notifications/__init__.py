"""Notifications (SPEC §13), the delivery side: the fan-out of new orders and digests, the
sender, the shared rate gate, and the texts. What a transaction queues is
:mod:`srochno.jobs`."""
