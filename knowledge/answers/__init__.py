"""Answers composed from ranked evidence: quoted extracts, who-answers, suggestions."""
