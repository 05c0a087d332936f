"""Background work: thumbnails and browser proxies of stored media."""
