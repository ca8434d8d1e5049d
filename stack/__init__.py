"""`make run`: the whole Adreel mesh on one machine.

The launcher starts embedded PostgreSQL (and NATS when asked) unless URLs are configured, runs the
gateway's migrations, starts the agents and the gateway as supervised child processes, and stops
everything cleanly on Ctrl-C / SIGTERM.
"""
