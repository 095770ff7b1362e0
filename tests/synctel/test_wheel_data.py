"""The SQL ships in the wheel and is read through importlib.resources (the slow end-to-end check,
a wheel installed in a fresh environment, is ``.ci/wheel-check``, run by ``make test``)."""

from __future__ import annotations

import glob
import tomllib
from importlib import resources
from pathlib import Path

import pytest

from ingest import sql
from insights.advisor.evidence import advice_description

ROOT = Path(__file__).parents[2]
SQL_FILES = sorted(p.relative_to(ROOT / "sql").as_posix() for p in (ROOT / "sql").rglob("*.sql"))
SETUPTOOLS = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"][
    "setuptools"
]


def test_sql_is_an_importable_package_found_in_the_checkout() -> None:
    assert resources.files("sql") == ROOT / "sql"
    assert sql.SQL_DIR == ROOT / "sql"


def test_the_sql_package_and_every_sql_file_are_in_the_distribution() -> None:
    include = SETUPTOOLS["packages"]["find"]["include"]
    assert "sql" in include
    patterns = SETUPTOOLS["package-data"]["sql"]
    # setuptools expands package-data globs like glob.glob, relative to the package folder.
    shipped = {match for pattern in patterns for match in glob.glob(pattern, root_dir=ROOT / "sql")}
    assert SQL_FILES
    assert set(SQL_FILES) <= shipped


@pytest.mark.parametrize("name", sql.view_names())
def test_every_view_loads(name: str) -> None:
    assert sql.view_sql(name).strip()
    assert sql.view_description(name)


@pytest.mark.parametrize("name", sql.audit_names())
def test_every_audit_loads(name: str) -> None:
    assert sql.audit_sql(name).strip()


@pytest.mark.parametrize("name", sql.advice_names())
def test_every_advice_query_loads(name: str) -> None:
    assert sql.advice_sql(name).strip()
    assert advice_description(name)


def test_the_loaders_list_every_file() -> None:
    listed = (
        ["schema.sql"]
        + [f"views/{name}.sql" for name in sql.view_names()]
        + [f"audits/{name}.sql" for name in sql.audit_names()]
        + [f"advice/{name}.sql" for name in sql.advice_names()]
    )
    assert sorted(listed) == SQL_FILES


def test_an_unknown_name_names_the_package_folder_and_the_known_ones() -> None:
    with pytest.raises(sql.SqlFileError, match=r"no advice named 'nope' in sql/advice \(") as err:
        sql.advice_sql("nope")
    assert all(name in str(err.value) for name in sql.advice_names())


def test_a_missing_folder_is_reported(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sql, "SQL_DIR", tmp_path)
    with pytest.raises(sql.SqlFileError, match=r"sql/advice .* is missing"):
        sql.advice_names()
