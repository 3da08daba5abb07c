"""Load and validate params.yaml: one schema, one clear message per user mistake."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, ValidationInfo, field_validator

from .errors import UserError

__all__ = [
    "ParamsError",
    "Params",
    "load_params",
    "validate_section",
    "find_project_root",
]


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
            raise ValueError(f"a scheduler address needs backend: dask (backend is "
                             f"{info.data.get('backend')!r}); set backend: dask, or dask_scheduler: \"\"")
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


class TopicsParams(_Section):
    embedding: str = "tfidf-svd"
    svd_components: int = Field(50, ge=2, le=2000)
    min_topic_size: int = Field(4, ge=2, le=100_000)
    top_n_words: int = Field(10, ge=3, le=100)
    fit_on: Literal["relevant", "all", "sample", "online"] = "relevant"
    sample_size: int = Field(20000, ge=100, le=10_000_000)


class CompareParams(_Section):
    focal: str = "Jakarta"
    n_bootstrap: int = Field(2000, ge=100, le=1_000_000)
    ci_level: float = Field(0.95, gt=0.5, lt=1.0)
    top_terms: int = Field(15, ge=1, le=500)
    prior_scale: float = Field(0.1, gt=0.0, le=100.0)
    min_bootstrap_docs: int = Field(10, ge=2, le=100_000)


class Params(_Section):
    seed: int = Field(20250811, ge=0, le=2**32 - 1)
    compute: ComputeParams = ComputeParams()
    ingest: IngestParams = IngestParams()
    preprocess: PreprocessParams = PreprocessParams()
    classify: ClassifyParams = ClassifyParams()
    topics: TopicsParams = TopicsParams()
    compare: CompareParams = CompareParams()


def find_project_root(start: Path | None = None) -> Path:
    """Return the nearest directory at or above ``start`` (default: cwd) holding params.yaml."""
    here = (start or Path.cwd()).resolve()
    for candidate in (here, *here.parents):
        if (candidate / "params.yaml").is_file():
            return candidate
    raise ParamsError(
        f"no params.yaml found in {here} or any parent directory; run from the project root"
    )


def _allowed(model: type[BaseModel]) -> str:
    parts = []
    for name, field in model.model_fields.items():
        annotation = getattr(field.annotation, "__name__", str(field.annotation))
        parts.append(f"{name} ({annotation.replace('typing.', '')})")
    return ", ".join(parts)


def _model_at(path: tuple[Any, ...]) -> type[BaseModel]:
    model: type[BaseModel] = Params
    for part in path:
        field = model.model_fields.get(str(part))
        if field is None or not isinstance(field.annotation, type) or not issubclass(
            field.annotation, BaseModel
        ):
            break
        model = field.annotation
    return model


def _format_error(err: ValidationError, source: str, prefix: str = "") -> str:
    lines = []
    for item in err.errors():
        loc = tuple(item["loc"])
        key = prefix + ".".join(str(p) for p in loc)
        if item["type"] == "extra_forbidden":
            parent = _model_at(loc[:-1])
            section = ".".join(str(p) for p in loc[:-1]) or "top level"
            lines.append(
                f"{source}: unknown key '{key}'. Allowed keys in {section}: {_allowed(parent)}"
            )
        else:
            value = item.get("input")
            lines.append(f"{source}: {key} = {value!r} is not allowed: {item['msg']}")
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
        root = path.resolve().parent
        raw_dir = root / params.ingest.raw_dir
        if not raw_dir.is_dir():
            raise ParamsError(
                f"{path}: ingest.raw_dir = {params.ingest.raw_dir!r} is not a directory "
                f"(looked for {raw_dir}); point it at a folder of articles"
            )
    return params


def validate_section(section: str, **values: Any) -> BaseModel:
    """Validate the values a notebook received for one params.yaml section.

    Notebooks get their parameters from papermill; this applies the same schema as
    ``load_params`` so a stage run by hand with a bad value stops with the same message.
    """
    field = Params.model_fields.get(section)
    if field is None or not isinstance(field.annotation, type):
        raise ParamsError(f"unknown params section {section!r}")
    model = field.annotation
    try:
        return model.model_validate(values)
    except ValidationError as exc:
        raise ParamsError(_format_error(exc, "params", prefix=f"{section}.")) from None
