-- Feedback from the thumbs, the questions asked, and each conversation's last turn.
-- Times are UTC ISO 8601 text ("2026-01-31T09:00:00+00:00"), which sorts and compares the same in both
-- SQLite and PostgreSQL. {{serial_id}} becomes each database's auto-numbered primary key.

CREATE TABLE feedback (
    id {{serial_id}},
    received_at TEXT NOT NULL,
    reaction TEXT NOT NULL CHECK (reaction IN ('like', 'dislike')),
    comment TEXT NOT NULL,
    question TEXT NOT NULL,
    answer TEXT NOT NULL,
    sources TEXT NOT NULL,
    user_pseudonym TEXT NOT NULL,
    conversation_pseudonym TEXT NOT NULL,
    reply_to_id TEXT NOT NULL,
    matched_by TEXT NOT NULL
);

CREATE INDEX feedback_received_at ON feedback (received_at);
CREATE INDEX feedback_user ON feedback (user_pseudonym);

CREATE TABLE questions (
    id {{serial_id}},
    asked_at TEXT NOT NULL,
    question TEXT NOT NULL,
    language TEXT NOT NULL,
    abstained INTEGER NOT NULL,
    answer TEXT NOT NULL,
    sources TEXT NOT NULL,
    user_pseudonym TEXT NOT NULL,
    conversation_pseudonym TEXT NOT NULL,
    reply_id TEXT NOT NULL
);

CREATE INDEX questions_asked_at ON questions (asked_at);
CREATE INDEX questions_user ON questions (user_pseudonym);
CREATE INDEX questions_reply ON questions (conversation_pseudonym, reply_id);

CREATE TABLE conversation_turns (
    conversation_pseudonym TEXT PRIMARY KEY,
    question TEXT NOT NULL,
    asks_who INTEGER NOT NULL,
    updated_at TEXT NOT NULL
);

CREATE INDEX conversation_turns_updated_at ON conversation_turns (updated_at);
