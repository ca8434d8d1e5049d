"""Settings and security helpers of the gateway."""
