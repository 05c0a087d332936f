"""Evidence files in the record: storing, binding to cases and acts, classifying, listing."""
