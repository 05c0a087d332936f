"""Early warning (预警): yellow and red cards for time limits near or past, in inboxes and
by e-mail."""
