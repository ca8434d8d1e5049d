"""The prompt parser agent: product text -> product spec and per-view image prompts; scene text ->
one planned shot (camera movement, motion intensity) per approved image."""
