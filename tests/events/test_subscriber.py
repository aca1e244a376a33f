"""A stream's buffer, alone: what a client gets when the hub dispatches while its replay
is being read."""

from __future__ import annotations

from srochno.events.hub import Subscriber


def test_events_pushed_during_the_replay_are_not_sent_twice() -> None:
    subscriber = Subscriber()
    subscriber.after = 4  # the client's Last-Event-ID
    for event_id in (5, 6, 7):  # the hub dispatched while the replay was read
        subscriber.push(event_id, b"%d;" % event_id)
    subscriber.replayed_through(6)  # the replay sent 5 and 6
    subscriber.push(6, b"6;")  # a late dispatch of a replayed event
    subscriber.push(8, b"8;")
    assert subscriber.take() == b"7;8;"


def test_a_replay_behind_the_live_frames_keeps_them() -> None:
    subscriber = Subscriber()
    subscriber.push(9, b"9;")
    subscriber.replayed_through(3)
    assert subscriber.after == 3
    assert subscriber.take() == b"9;"
