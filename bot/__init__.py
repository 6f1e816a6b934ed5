"""cachly: home-isolation monitoring over Telegram."""
