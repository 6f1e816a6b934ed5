"""The Bot API stand-in's server: its core, its method families and its tornado handlers."""

from standins.telegram.server.standin import BotApiStandIn

__all__ = ["BotApiStandIn"]
