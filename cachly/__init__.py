"""The composition root: builds the services, the Telegram Application, its jobs and the
outbox sender, and runs them. Nothing in bot/, handlers/ or geofence/ imports it."""
