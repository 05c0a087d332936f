"""Statistics for supervision and evaluation (评议考核), kept as projections of the journal."""
