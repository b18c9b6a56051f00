"""Custom actions of the assistant, served by the action server (bot.action_server)."""
