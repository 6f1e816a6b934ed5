"""Saying things: channel-free content, the outbox, its sender, each channel's renderer."""
