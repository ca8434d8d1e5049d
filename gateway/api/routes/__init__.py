"""One thin module per resource."""
