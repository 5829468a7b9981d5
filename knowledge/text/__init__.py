"""Text analysis shared by ingest and retrieval: words, stems, compounds, language, sentences."""
