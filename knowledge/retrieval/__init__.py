"""From a question to ranked candidate sentences: hybrid passage retrieval, features, a fitted ranker."""
