"""The index: Chroma collections, BM25, the passage table, embedders and their cache, by generation."""
