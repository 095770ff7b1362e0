"""The line index that places problems: every TOML construct a profile may use."""

from __future__ import annotations

from textwrap import dedent

from vocabulary.toml_lines import key_lines, line_of


def test_headers_keys_arrays_and_inline_tables():
    text = dedent(
        '''\
        # interval_minutes = 1   (a comment is not a key)
        name = "a # not a comment"
        "quoted key" = 1
        dotted.key = 2

        [settings]
        allow_wifi_only = true

        [[tables]]
        name = """multi
        line
        string"""
        filter = { all = [
          { owner = "user" },
          { column = "c", op = "in", value = [
            1,
            2,
          ] },
        ] }

        [[tables]]
        name = 'literal'
        interval_minutes = 5
        [[tables.relationships]]
        table = "x"
        [[tables.relationships]]
        table = "y"
        '''
    )
    lines = key_lines(text)
    assert lines[("name",)] == 2
    assert lines[("quoted key",)] == 3
    assert lines[("dotted", "key")] == 4
    assert lines[("settings", "allow_wifi_only")] == 7
    assert lines[("tables", 0)] == 9
    assert lines[("tables", 0, "filter")] == 13
    assert lines[("tables", 0, "filter", "all", 1, "column")] == 15
    assert lines[("tables", 0, "filter", "all", 1, "value", 1)] == 17
    assert lines[("tables", 1)] == 21
    assert lines[("tables", 1, "interval_minutes")] == 23
    assert lines[("tables", 1, "relationships", 0, "table")] == 25
    assert lines[("tables", 1, "relationships", 1)] == 26
    assert lines[("tables", 1, "relationships", 1, "table")] == 27
    assert ("interval_minutes",) not in lines


def test_escaped_quotes_and_date_times_do_not_derail_the_scanner():
    text = "a = \"say \\\"hi\\\" # x\"\nb = 1979-05-27 07:32:00\nc = '''x'y'''\nd = 4\n"
    lines = key_lines(text)
    assert [lines[(k,)] for k in "abcd"] == [1, 2, 3, 4]


def test_line_of_falls_back_to_the_nearest_parent():
    lines = {("tables", 0): 3}
    assert line_of(lines, ("tables", 0, "filter", "all", 2)) == 3
    assert line_of(lines, ("name",)) == 0
