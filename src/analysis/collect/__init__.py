"""Collection: URL lists, sitemaps and feeds in; a WARC-archived, extracted .jsonl.gz corpus out."""

# Modules: :mod:`~analysis.collect.sources` (what to fetch), :mod:`~analysis.collect.robots` and
# :mod:`~analysis.collect.fetch` (how politely), :mod:`~analysis.collect.crawl` (the run),
# :mod:`~analysis.collect.warc` and :mod:`~analysis.collect.manifest` (provenance),
# :mod:`~analysis.collect.articles` (the corpus), :mod:`~analysis.collect.query` (relevance) and
# :mod:`~analysis.collect.cli` (``python -m analysis collect``).
