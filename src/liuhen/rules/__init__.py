"""Rule packs and the compliance engine. Pure: packs, calendars and records in, findings out."""
