"""Topic modelling of paragraphs: embeddings, the BERTopic fit, quality measures."""
