"""The worker: the job queue's consumers and their election, the periodic ticker, the clean-ups."""
