"""Reports: figures, the executed notebooks as web pages, and the policy briefs."""
