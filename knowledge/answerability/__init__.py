"""Whether the documents answer a question: evidence features and a calibrated model fitted on the bank."""
