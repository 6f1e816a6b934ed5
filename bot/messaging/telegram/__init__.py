"""Telegram at the channel boundary: how a message is rendered, and how it travels."""
