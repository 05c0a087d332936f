"""Content-addressed, write-once storage of evidence files (filesystem or S3-compatible)."""
