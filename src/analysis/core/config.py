"""Load and validate params.yaml: one schema, one clear message per user mistake."""

from __future__ import annotations

import datetime as dt
import re
from importlib.util import find_spec
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, ValidationInfo, field_validator

from .errors import UserError
from .paths import ANALYSIS_STAGES

__all__ = [
    "ParamsError",
    "Params",
    "ComputeParams",
    "IngestParams",
    "PreprocessParams",
    "ClassifyParams",
    "TopicsParams",
    "CompareParams",
    "ExploreParams",
    "TFIDF_SVD",
    "load_params",
    "validate_section",
    "params_from_sections",
    "find_project_root",
    "check_stage",
]

#: The built-in embedding of the topics stage (TF-IDF -> SVD, ships with the code).
TFIDF_SVD = "tfidf-svd"


class ParamsError(UserError, ValueError):
    """A user-fixable problem with params.yaml (or with values passed to a stage)."""


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=False, frozen=True)


class ComputeParams(_Section):
    backend: Literal["local", "dask"] = "local"
    n_jobs: int = Field(2, ge=1, le=256)
    dask_scheduler: str = ""

    @field_validator("dask_scheduler")
    @classmethod
    def _scheduler_needs_dask(cls, value: str, info: ValidationInfo) -> str:
        # an address with the local backend would be ignored silently; say so instead
        if value.strip() and info.data.get("backend") != "dask":
            raise ValueError(
                f"a scheduler address needs backend: dask (backend is "
                f'{info.data.get("backend")!r}); set backend: dask, or dask_scheduler: ""'
            )
        return value


class IngestParams(_Section):
    raw_dir: str = "data/raw"
    metadata_file: str = ""
    min_words: int = Field(40, ge=1, le=100_000)
    near_duplicate_threshold: float = Field(0.8, gt=0.0, le=1.0)

    @field_validator("raw_dir")
    @classmethod
    def _raw_dir_not_empty(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("must name a directory of articles (e.g. data/raw)")
        return value


class PreprocessParams(_Section):
    min_token_length: int = Field(2, ge=1, le=50)


class ClassifyParams(_Section):
    gold_dir: str = "data/annotations"
    clickid_path: str = ""
    # stories (classify/stories.py): articles of one kind with the same parties, dated at most
    # story_window_days apart and whose word sets overlap at least story_min_similarity (Jaccard)
    story_window_days: int = Field(7, ge=0, le=366)
    story_min_similarity: float = Field(0.2, gt=0.0, le=1.0)


class TopicsParams(_Section):
    embedding: str = TFIDF_SVD
    svd_components: int = Field(50, ge=2, le=2000)
    min_topic_size: int = Field(4, ge=2, le=100_000)
    top_n_words: int = Field(10, ge=3, le=100)
    fit_on: Literal["relevant", "all", "sample", "online"] = "relevant"
    sample_size: int = Field(20000, ge=100, le=10_000_000)
    n_seeds: int = Field(5, ge=1, le=50)
    reference_stems: str = ""


class CompareParams(_Section):
    focal: str = "Jakarta"
    n_bootstrap: int = Field(2000, ge=100, le=1_000_000)
    ci_level: float = Field(0.95, gt=0.5, lt=1.0)
    top_terms: int = Field(15, ge=1, le=500)
    prior_scale: float = Field(0.1, gt=0.0, le=100.0)
    min_bootstrap_docs: int = Field(10, ge=2, le=100_000)


class ExploreParams(_Section):
    # the explorer page (docs/explorer.md): a corpus with more articles lists every coded
    # article, the sampled uncoded ones shown with text, and a seeded sample of the rest
    max_listed_articles: int = Field(50_000, ge=1, le=100_000_000)


class CollectParams(_Section):
    """``python -m analysis collect --params params.yaml`` (the frozen stage in data/collect/dvc.yaml)."""

    sources: list[str] = []
    out_dir: str = "data/collected"
    contact: str = ""
    user_agent: str = "coopnews-collect/0.1"
    min_delay: float = Field(1.0, ge=0.0, le=3600.0)
    query: str = ""
    since: str = ""
    until: str = ""
    max_articles: int = Field(0, ge=0, le=10_000_000)
    max_pages_per_article: int = Field(20, ge=1, le=1000)
    timeout: float = Field(30.0, gt=0.0, le=3600.0)
    retries: int = Field(2, ge=0, le=10)
    retry_backoff: float = Field(2.0, ge=0.0, le=3600.0)
    max_retry_after: float = Field(600.0, ge=0.0, le=86_400.0)
    max_bytes: int = Field(10_000_000, ge=1000, le=1_000_000_000)
    max_redirects: int = Field(5, ge=0, le=30)
    refresh_listings: bool = False

    @field_validator("out_dir")
    @classmethod
    def _out_dir_not_empty(cls, value: str) -> str:
        if not value.strip():
            raise ValueError(
                "must name the folder the collection is written to (e.g. data/collected)"
            )
        return value

    @field_validator("user_agent")
    @classmethod
    def _product_token(cls, value: str) -> str:
        if not re.fullmatch(r"[A-Za-z][A-Za-z0-9_.-]*(?:/[A-Za-z0-9_.-]+)?", value):
            raise ValueError("must be a product token and version such as coopnews-collect/0.1")
        return value

    @field_validator("since", "until")
    @classmethod
    def _iso_date(cls, value: str) -> str:
        if value.strip():
            try:
                dt.date.fromisoformat(value.strip())
            except ValueError:
                raise ValueError('must be a date written YYYY-MM-DD, or "" for none') from None
        return value.strip()

    @field_validator("until")
    @classmethod
    def _until_after_since(cls, value: str, info: ValidationInfo) -> str:
        since = info.data.get("since")
        if value and since and since > value:
            raise ValueError(f"is before collect.since ({since}); swap them")
        return value


class Params(_Section):
    seed: int = Field(20250811, ge=0, le=2**32 - 1)
    compute: ComputeParams = ComputeParams()
    ingest: IngestParams = IngestParams()
    preprocess: PreprocessParams = PreprocessParams()
    classify: ClassifyParams = ClassifyParams()
    topics: TopicsParams = TopicsParams()
    compare: CompareParams = CompareParams()
    explore: ExploreParams = ExploreParams()
    collect: CollectParams = CollectParams()


def find_project_root(start: Path | None = None) -> Path:
    """Return the nearest directory at or above ``start`` (default: cwd) holding params.yaml."""
    here = (start or Path.cwd()).resolve()
    for candidate in (here, *here.parents):
        if (candidate / "params.yaml").is_file():
            return candidate
    raise ParamsError(
        f"no params.yaml found in {here} or any parent directory; run from the project root"
    )


_TYPE_WORDS = {int: "a whole number", float: "a number", str: "text", bool: "true or false"}


def _describe(field: Any) -> str:
    """What a field accepts, in words: its type or choices and its bounds."""
    annotation = field.annotation
    choices = getattr(annotation, "__args__", None)
    if getattr(annotation, "__origin__", None) is Literal and choices:
        return "one of " + ", ".join(repr(c) for c in choices)
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return "a section"
    what = _TYPE_WORDS.get(annotation, getattr(annotation, "__name__", str(annotation)))
    bounds = []
    for item in field.metadata:
        for attr, word in (("ge", ">="), ("gt", ">"), ("le", "<="), ("lt", "<")):
            bound = getattr(item, attr, None)
            if bound is not None:
                bounds.append(f"{word} {bound}")
    return what + (" " + " and ".join(bounds) if bounds else "")


def _allowed(model: type[BaseModel]) -> str:
    return ", ".join(f"{name} ({_describe(field)})" for name, field in model.model_fields.items())


def _model_at(path: tuple[Any, ...]) -> type[BaseModel]:
    model: type[BaseModel] = Params
    for part in path:
        field = model.model_fields.get(str(part))
        if (
            field is None
            or not isinstance(field.annotation, type)
            or not issubclass(field.annotation, BaseModel)
        ):
            break
        model = field.annotation
    return model


def _format_error(err: ValidationError, source: str, prefix: str = "") -> str:
    lines = []
    for item in err.errors():
        loc = tuple(item["loc"])
        key = prefix + ".".join(str(p) for p in loc)
        path = tuple(prefix.rstrip(".").split(".")) + loc if prefix else loc
        if item["type"] == "extra_forbidden":
            parent = _model_at(path[:-1])
            section = ".".join(str(p) for p in path[:-1]) or "top level"
            lines.append(
                f"{source}: unknown key '{key}'. Allowed keys in {section}: {_allowed(parent)}"
            )
        else:
            value = item.get("input")
            field = _model_at(path[:-1]).model_fields.get(str(path[-1])) if path else None
            allowed = f" (allowed: {_describe(field)})" if field is not None else ""
            lines.append(f"{source}: {key} = {value!r} is not allowed: {item['msg']}{allowed}")
    return "\n".join(lines)


def load_params(path: str | Path = "params.yaml", *, check_paths: bool = True) -> Params:
    """Read and validate params.yaml.

    Args:
        path: the params file; relative paths inside it are resolved against its directory.
        check_paths: also check that input paths (raw_dir) exist.

    Returns:
        The validated parameters.

    Raises:
        ParamsError: with one line per problem, each naming the key and what is allowed.
    """
    path = Path(path)
    if not path.is_file():
        raise ParamsError(f"{path}: file not found; copy params.yaml from the project root")
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except yaml.YAMLError as exc:
        raise ParamsError(f"{path}: not valid YAML ({exc})") from None
    if not isinstance(raw, dict):
        raise ParamsError(f"{path}: expected a mapping of sections, got {type(raw).__name__}")
    try:
        params = Params.model_validate(raw)
    except ValidationError as exc:
        raise ParamsError(_format_error(exc, str(path))) from None
    if check_paths:
        _check_paths(params, path)
    return params


def _check_paths(params: Params, path: Path) -> None:
    """Input paths every run needs: the corpus folder, the sidecar (when named), the gold set."""
    root = path.resolve().parent
    raw_dir = root / params.ingest.raw_dir
    if not raw_dir.is_dir():
        raise ParamsError(
            f"{path}: ingest.raw_dir = {params.ingest.raw_dir!r} is not a directory "
            f"(looked for {raw_dir}); point it at a folder of articles"
        )
    metadata = params.ingest.metadata_file
    if metadata.strip() and not (root / metadata).is_file():
        raise ParamsError(
            f"{path}: ingest.metadata_file = {metadata!r} is not a file (looked for "
            f"{root / metadata}); name a metadata CSV (file,outlet,date,title,url) or set it "
            'to "" for none'
        )
    gold_dir = root / params.classify.gold_dir
    if not gold_dir.is_dir():
        raise ParamsError(
            f"{path}: classify.gold_dir = {params.classify.gold_dir!r} is not a directory "
            f"(looked for {gold_dir}); point it at the gold annotations (data/annotations)"
        )


def _huggingface_cached(name: str) -> bool:
    """Whether a model name is in the local Hugging Face cache (never asks the network)."""
    try:
        from huggingface_hub import try_to_load_from_cache
    except ImportError:  # sentence-transformers (and with it huggingface_hub) not installed
        return False
    candidates = [name] if "/" in name else [name, f"sentence-transformers/{name}"]
    for repo_id in candidates:
        for filename in ("modules.json", "config.json"):
            try:
                found = try_to_load_from_cache(repo_id, filename)
            except ValueError:  # not a valid repo id
                return False
            if isinstance(found, str):
                return True
    return False


def _check_embedding(params: Params, path: Path) -> None:
    """topics.embedding: the built-in tfidf-svd, a saved model directory or a cached model."""
    embedding = params.topics.embedding
    if embedding == TFIDF_SVD:
        return
    root = path.resolve().parent
    folder = root / embedding
    if folder.is_dir():
        if (folder / "modules.json").is_file() or (folder / "config.json").is_file():
            return
        raise ParamsError(
            f"{path}: topics.embedding = {embedding!r} is a directory ({folder}) without a saved "
            "sentence-transformers model (no modules.json or config.json); save the model there "
            f"or set topics.embedding: {TFIDF_SVD}"
        )
    looks_like_path = (
        embedding.startswith((".", "/", "~")) or "\\" in embedding or (embedding.count("/") > 1)
    )
    if not looks_like_path and _huggingface_cached(embedding):
        return
    extra = (
        ""
        if find_spec("sentence_transformers")
        else (
            "; a sentence-transformers model also needs the optional embeddings extra, which is not "
            "installed: `make embeddings`"
        )
    )
    raise ParamsError(
        f"{path}: topics.embedding = {embedding!r} is not available offline: allowed values are "
        f"{TFIDF_SVD!r} (built in), the path of a directory holding a saved sentence-transformers "
        f"model (looked for {folder}), or the name of a model already in the local Hugging Face "
        f"cache; nothing is downloaded at run time{extra}"
    )


def check_stage(stage: str, path: str | Path = "params.yaml") -> Params:
    """Validate params.yaml and what one stage needs before it starts any work.

    Besides :func:`load_params`, a stage checks its optional inputs here (``topics``: the
    embedding model is available without the network).

    Args:
        stage: an analysis stage (:data:`analysis.core.paths.ANALYSIS_STAGES`).
        path: the params file; the project root is its directory.

    Raises:
        ParamsError: one message naming the key and what is allowed.
    """
    if stage not in ANALYSIS_STAGES:
        raise ParamsError(f"unknown stage {stage!r}; stages are {', '.join(ANALYSIS_STAGES)}")
    path = Path(path)
    params = load_params(path)
    if stage == "topics":
        _check_embedding(params, path)
    return params


def validate_section(section: str, **values: Any) -> BaseModel:
    """Validate the values of one params.yaml section, as :func:`load_params` would.

    Raises:
        ParamsError: one line per problem, naming ``section.key`` and what is allowed.
    """
    field = Params.model_fields.get(section)
    if field is None or not isinstance(field.annotation, type):
        raise ParamsError(f"unknown params section {section!r}")
    model = field.annotation
    try:
        return model.model_validate(values)
    except ValidationError as exc:
        raise ParamsError(_format_error(exc, "params", prefix=f"{section}.")) from None


def params_from_sections(**sections: Any) -> Params:
    """The validated :class:`Params` from the sections a stage notebook received.

    Papermill passes a notebook the params.yaml sections its stage reads (a mapping per
    section, ``seed`` as a number); each is validated as :func:`load_params` validates the
    file, so a notebook run by hand with a bad value stops with the same message. Sections not
    given keep their schema defaults (the stage does not read them).

    Raises:
        ParamsError: one line per problem, naming ``section.key`` and what is allowed.
    """
    values: dict[str, Any] = {}
    for section, value in sections.items():
        if isinstance(value, dict):
            values[section] = validate_section(section, **value)
        else:
            values[section] = value
    try:
        return Params.model_validate(values)
    except ValidationError as exc:
        raise ParamsError(_format_error(exc, "params")) from None
