"""Resumable uploads (tus 1.0): staging, hashing in one pass, finishing into evidence."""
