-- What content owners did from Teams: added, corrected, superseded or removed a document.
-- An audit log: kept past the retention period of questions and feedback, and never pseudonymised,
-- since the owners are named in STRATEGIBOT_OWNERS by their Entra object ids.

CREATE TABLE owner_actions (
    id {{serial_id}},
    acted_at TEXT NOT NULL,
    owner_id TEXT NOT NULL,
    action TEXT NOT NULL,
    document TEXT NOT NULL,
    detail TEXT NOT NULL
);

CREATE INDEX owner_actions_acted_at ON owner_actions (acted_at);
