"""The auto-close job: refunds for unanswered orders, expiry of old ones."""
