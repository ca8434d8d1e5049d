"""video_gen: image-to-video. Each approved still becomes a short clip with a planned camera move."""
