"""Web Push (SPEC §23): the VAPID key, and the devices' subscriptions (the only writer of
``push_subscriptions``). What is pushed, and when, is :mod:`srochno.notifications.push`."""
