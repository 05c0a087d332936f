"""The web layer: a JSON API and plain Chinese pages over the services."""
