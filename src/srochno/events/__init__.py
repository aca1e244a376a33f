"""The live feed: the event log written by triggers, the LISTEN fan-out, the SSE routes."""
