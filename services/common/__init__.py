"""What every Adreel service shares: server bootstrap, settings, object storage, costs, media."""
