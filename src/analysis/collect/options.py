"""What shapes a collection run, and where its files live inside the output folder."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from .sources import DateRange

__all__ = ["DEFAULT_AGENT", "CollectOptions", "Layout"]

DEFAULT_AGENT = "coopnews-collect/0.1"


@dataclass(frozen=True)
class Layout:
    """Where a collection lives inside its output folder."""

    root: Path

    @property
    def articles(self) -> Path:
        return self.root / "articles" / "articles.jsonl.gz"

    @property
    def manifest(self) -> Path:
        return self.root / "manifest.csv"

    @property
    def warc_dir(self) -> Path:
        return self.root / "warc"

    @property
    def summary(self) -> Path:
        return self.root / "collect.json"

    @property
    def state(self) -> Path:
        return self.root / ".state"


@dataclass(frozen=True)
class CollectOptions:
    """Everything that shapes a collection run (see ``python -m analysis collect --help``)."""

    out_dir: Path
    contact: str
    user_agent: str = DEFAULT_AGENT
    min_delay: float = 1.0
    timeout: float = 30.0
    retries: int = 2
    retry_backoff: float = 2.0
    max_retry_after: float = 600.0
    max_bytes: int = 10_000_000
    max_redirects: int = 5
    max_articles: int | None = None
    max_pages_per_article: int = 20
    max_listing_depth: int = 3
    refresh_listings: bool = False
    robots_max_age: float = 86_400.0
    query: str | None = None
    dates: DateRange = DateRange()

    @property
    def agent_header(self) -> str:
        """The User-Agent sent: product token/version, then how to reach the operator."""
        return f"{self.user_agent} (research crawler; +{self.contact})"

    @property
    def product_token(self) -> str:
        return self.user_agent.split("/", 1)[0].strip()
