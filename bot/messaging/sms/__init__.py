"""The SMS channel: a gateway, the renderer to short GSM-7 texts with reply codes, replies."""
