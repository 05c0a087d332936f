"""Full-text search over what a reader may see, on Chinese word segmentation."""
