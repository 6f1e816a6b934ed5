"""The web desk and the public situation page: Starlette pages over the bot's services."""
