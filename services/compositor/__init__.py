"""The compositor agent: intro card, clips, outro card, text overlays, transitions and music in one
FFmpeg run, rendered to 16:9 (and on request 9:16 and 1:1) H.264/AAC MP4s."""
