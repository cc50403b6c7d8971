"""The ready-made reasons and messages: every one in both languages, the agency's own listed first."""

import pytest

from bawaba.backoffice.reason_templates import (
    TemplatesInvalid,
    read_templates,
    reason_template,
    reason_templates,
)


def test_the_shipped_file_is_complete_and_the_agencys_own_come_first():
    everything = read_templates()
    assert everything[""]["reject"] and everything[""]["request-information"]
    for by_action in everything.values():
        for templates in by_action.values():
            for template in templates:
                assert all(template.title[lang] and template.text[lang] for lang in ("ar", "en"))
    codes = [t.code for t in reason_templates(agency="municipality", action="request-information")]
    assert codes[0] == "complaint-location" and "document-missing" in codes
    assert "complaint-location" not in [
        t.code for t in reason_templates(agency="commerce", action="request-information")
    ]
    assert reason_template(agency="traffic", action="reject", code="duplicate") is not None
    assert reason_template(agency="traffic", action="reject", code="complaint-location") is None


@pytest.mark.parametrize(
    "text,problem",
    [
        (
            "global:\n  reject:\n    - code: a\n      title: {ar: أ, en: A}\n      text: {en: Only English}\n",
            "Arabic",
        ),
        (
            "global:\n  reject:\n    - {code: a, title: {ar: أ, en: A}, text: {ar: نص, en: T}}\n"
            "    - {code: a, title: {ar: ب, en: B}, text: {ar: نص, en: T}}\n",
            "own code",
        ),
    ],
)
def test_a_template_missing_a_language_or_a_code_is_refused(tmp_path, text, problem):
    path = tmp_path / "templates.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(TemplatesInvalid, match=problem):
        read_templates(path)
