"""Orders: what clients post and executors respond to."""
