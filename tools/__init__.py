"""What is never imported at run time: the launcher and its supervisor, training, the CLI, measurements.

Rasa, the action server and the portal import only `bot/` and `actions/`; `tools/` imports them, never the reverse.
"""
