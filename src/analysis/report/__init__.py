"""Reports: figures, the executed notebooks as web pages, the offline explorer and the policy briefs."""
