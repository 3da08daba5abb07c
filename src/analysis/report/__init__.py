"""Pages for readers built from the pipeline's outputs (the offline explorer)."""
