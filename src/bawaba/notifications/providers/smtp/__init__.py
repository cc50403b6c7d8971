"""E-mail over SMTP: a plain text part and an HTML part laid out in the message's language."""
