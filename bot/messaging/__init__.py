"""Saying things: channel-free content, the outbox, its sender, and each channel's renderer and transport."""
