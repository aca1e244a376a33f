"""E-mail kit: messages with a plain-text and an HTML part, sent through SMTP
(``aiosmtplib``). No domain: the texts belong to the rooms that send them."""
