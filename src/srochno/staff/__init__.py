"""The operators of the admin panel: accounts, sign-in, rights and the audit trail."""
