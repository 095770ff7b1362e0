"""``synctel profile validate`` and ``synctel profile show``."""

from __future__ import annotations

from syncengine.profile import default_profile, parse_profile
from syncengine.profile.load import default_profile_text
from synctel.cli import main

GOOD = """
name = "Good"
[[tables]]
name = "account"
interval_minutes = 60
"""

BAD = """
name = "Bad"
[[tables]]
name = "account"
interval_minutes = 2
filter = { column = "nam", op = "eq", value = "x" }
"""


def test_validate_ok_exits_zero(write_profile, capsys):
    path = write_profile(GOOD)
    assert main(["profile", "validate", str(path)]) == 0
    out, err = capsys.readouterr()
    assert out == f'{path}: ok, "Good" with 1 tables\n'
    assert err == ""


def test_validate_prints_every_error_one_per_line_and_exits_one(write_profile, capsys):
    good, bad = write_profile(GOOD, "good.toml"), write_profile(BAD, "bad.toml")
    assert main(["profile", "validate", str(good), str(bad)]) == 1
    out, err = capsys.readouterr()
    assert out == f'{good}: ok, "Good" with 1 tables\n'
    assert err.splitlines() == [
        f"{bad} line 4: sync interval 2 is below 5 minutes (allowed 5–1440) [interval]",
        f"{bad} line 5: account has no column 'nam'; did you mean 'name'? [unknown-column]",
    ]


def test_validate_missing_file_is_one_line(tmp_path, capsys):
    missing = tmp_path / "missing.toml"
    assert main(["profile", "validate", str(missing)]) == 1
    out, err = capsys.readouterr()
    assert out == ""
    assert err == f"{missing}: no such file [file]\n"


def test_validate_syntax_error_names_the_line(write_profile, capsys):
    path = write_profile('name = "x"\n[[tables]\n')
    assert main(["profile", "validate", str(path)]) == 1
    [line] = capsys.readouterr().err.splitlines()
    assert line.startswith(f"{path} line 2: invalid TOML: ")
    assert line.endswith("[toml-syntax]")


def test_validate_warnings_go_to_stderr_and_exit_zero(write_profile, capsys):
    schema = write_profile("".join(f"[tables.t{i}]\n" for i in range(101)), "schema.toml")
    tables = "".join(f'[[tables]]\nname = "t{i}"\ninterval_minutes = 60\n' for i in range(101))
    path = write_profile(f'name = "Big"\n{tables}')
    assert main(["profile", "validate", "--schema", str(schema), str(path)]) == 0
    out, err = capsys.readouterr()
    assert out == f'{path}: ok, "Big" with 101 tables\n'
    assert err == f"warning: {path} line 2: 101 tables is above the recommended 100 [table-count]\n"


def test_validate_unreadable_schema_is_one_line(tmp_path, write_profile, capsys):
    path = write_profile(GOOD)
    assert main(["profile", "validate", "--schema", str(tmp_path / "no.toml"), str(path)]) == 1
    err = capsys.readouterr().err
    assert err.startswith("synctel profile: ")
    assert "no.toml: cannot read the schema" in err
    assert len(err.splitlines()) == 1


def test_validate_the_shipped_default(tmp_path, capsys):
    path = tmp_path / "default.toml"
    path.write_text(default_profile_text(), encoding="utf-8")
    assert main(["profile", "validate", str(path)]) == 0
    assert capsys.readouterr().err == ""


def test_show_without_file_prints_the_built_in_default(capsys):
    assert main(["profile", "show"]) == 0
    out = capsys.readouterr().out
    assert out.startswith('name = "Field Service Mobile - Offline Profile"\n')
    shown = parse_profile(out)
    assert shown.table_names == default_profile().table_names


def test_show_file_resolves_defaults(write_profile, capsys):
    path = write_profile(GOOD)
    assert main(["profile", "show", str(path)]) == 0
    out = capsys.readouterr().out
    assert "conflict_detection = false" in out
    assert "allow_wifi_only = true" in out


def test_show_invalid_file_exits_one(write_profile, capsys):
    path = write_profile(BAD)
    assert main(["profile", "show", str(path)]) == 1
    out, err = capsys.readouterr()
    assert out == ""
    assert len(err.splitlines()) == 2
