"""The operators' admin panel, mounted at ``/admin``: views, actions, the dashboard."""
