"""Text layer: turning raw documents (HTML pages, pasted text) into article text and metadata."""
