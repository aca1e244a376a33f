"""Users: profiles, preferences and the category catalog."""
