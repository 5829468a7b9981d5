"""The bot's store: feedback, questions asked and conversation context (SQLite or PostgreSQL)."""
