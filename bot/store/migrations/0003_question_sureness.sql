-- Whether an answer was given as sure. An unsure reply ("the closest passages are") is what content owners
-- read beside the unanswered questions: the documents may hold the answer, but not so that it is found.
-- Answers logged before this column existed were all sure (the bot had no unsure reply then).

ALTER TABLE questions ADD COLUMN sure INTEGER NOT NULL DEFAULT 1;
