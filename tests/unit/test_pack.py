"""Pack loading: inheritance, overrides, and errors that name the file, the line and the problem."""

from __future__ import annotations

import textwrap

import pytest

from liuhen.compliance import packs
from liuhen.errors import PackError as ValidationError
from liuhen.rules import pack as P


def sources(**texts: str):
    def find(name: str) -> P.PackSource:
        if name in texts:
            return P.PackSource(name, textwrap.dedent(texts[name]), f"{name}.yaml")
        return packs.find_source(name, None)

    return find


def refusal(name: str, text: str) -> ValidationError:
    """What loading pack ``name``, written as ``text``, is refused with (refused it must be)."""
    with pytest.raises(ValidationError) as exc:
        P.load(name, sources(**{name: text}))
    return exc.value


def problems(exc: ValidationError) -> list[tuple[int | None, str | None, str]]:
    return [(p.line, p.field, p.message) for p in exc.problems]


@pytest.mark.parametrize("name", packs.BUILTIN)
def test_shipped_packs_load_and_every_rule_cites(name):
    pack = packs.load_pack(name)
    assert pack.rules
    for rule in pack.rules.values():
        assert rule.cite and all(c.strip() for c in rule.cite)


def test_derived_pack_overrides_single_keys_and_can_drop_a_rule():
    pack = P.load(
        "local",
        sources(
            local="""
        pack: local
        title: 某局规则
        extends: "001"
        rules:
          av.storage:
            limit: {hours: 48}
          deadline.archive:
            disabled: true
    """
        ),
    )
    assert pack.chain == ("local", "001", "national")
    storage = pack.rule("av.storage")
    assert storage.limit.hours == 48
    assert storage.cite == ["001 第十五条"]  # inherited keys stay
    assert "deadline.archive" not in pack.rules
    assert "officers.min_two" in pack.rules  # from national


def test_errors_name_file_line_and_problem():
    exc = refusal(
        "bad",
        """
            pack: bad
            title: 错误示例
            extends: national
            rules:
              av.new:
                kind: av
                title: 新规则
                acts: [investigation.teleport]
                level: sometimes
                cite: [某条]
                remedy: 补录
              deadline.x:
                kind: deadline
                title: 期限
                start: [archiving.closing]
                end: [archiving.archive]
                limit: {days: 3, hours: 4}
                cite: []
                remedy: 归档
              officers.min_two:
                min: 0
        """,
    )
    assert exc.code == "LH130"
    found = problems(exc)
    lines = {(line, field) for line, field, _ in found}
    # the text starts with a newline, so "pack: bad" is line 2
    assert (9, "rules.av.new.acts") in lines
    assert (10, "rules.av.new.level") in lines
    assert (19, "rules.deadline.x.cite") in lines
    assert (18, "rules.deadline.x.limit") in lines
    assert (22, "rules.officers.min_two.min") in lines
    assert all(msg.startswith("bad.yaml：") for _, _, msg in found)
    assert any("investigation.teleport" in msg for _, _, msg in found)


def test_unknown_kind_missing_key_and_yaml_syntax():
    exc = refusal(
        "x",
        """
            pack: x
            title: t
            rules:
              a:
                kind: telepathy
                title: t
                cite: [c]
                remedy: r
              b:
                title: t
        """,
    )
    found = problems(exc)
    assert any(line == 6 and "未知的规则种类" in msg for line, _, msg in found)
    assert any(field == "rules.b" and "kind" in msg for _, field, msg in found)
    exc = refusal("y", "pack: y\ntitle: t\nrules:\n  a: [1, 2\n")
    assert problems(exc)[0][0] is not None


def test_name_mismatch_cycle_and_missing_pack():
    with pytest.raises(ValidationError, match="pack"):
        P.load("m", sources(m="pack: other\ntitle: t\nrules: {}\n"))
    with pytest.raises(ValidationError, match="循环"):
        P.load(
            "a",
            sources(
                a="pack: a\ntitle: t\nextends: b\nrules: {}\n",
                b="pack: b\ntitle: t\nextends: a\nrules: {}\n",
            ),
        )
    from liuhen.errors import NotFoundError

    with pytest.raises(NotFoundError):
        packs.load_pack("nonexistent")


def test_selectors_expand():
    assert "investigation.seal" in P.expand_acts(["@on_site"])
    assert P.expand_acts(["service.*"]) == [
        "service.direct",
        "service.entrusted",
        "service.forwarded",
        "service.lodged",
        "service.mail",
        "service.public_notice",
    ]
    with pytest.raises(ValueError, match="未知"):
        P.expand_acts(["nothing.*"])


def test_refusal_attestation_is_each_packs_own():
    """Only 003 第十四条 says a refusal to sign is attested by 两名以上 officers; the others
    inherit the national baseline (行政强制法 第十八条第八项: noted, no number)."""
    got = {name: packs.load_pack(name).refusal_officers for name in packs.BUILTIN}
    assert got == {"national": 1, "001": 1, "002": 1, "003": 2}
    three = packs.load_pack("003").refusal
    assert three is not None and three.cite == ["003 第十四条"]
    derived = P.load(
        "local", sources(local='pack: local\ntitle: 某局\nextends: "003"\nrules: {}\n')
    )
    assert derived.refusal_officers == 2  # inherited from the nearest pack that states it


def test_a_bad_refusal_attestation_names_its_line():
    exc = refusal(
        "local",
        """
            pack: local
            title: 某局
            extends: national
            refusal_attestation: {officers: 0, cite: [本局 第一条]}
            rules: {}
        """,
    )
    assert [(p.field, p.line) for p in exc.problems] == [("refusal_attestation.officers", 5)]


def test_an_av_rule_cites_the_item_of_the_act():
    rule = packs.load_pack("001").rule("av.coercive_measures")
    assert rule.cite_for("investigation.release_seize") == ["001 第九条第二项"]
    assert rule.cite_for("investigation.restrict_liberty") == ["001 第九条第四项"]
    exc = refusal(
        "local",
        """
            pack: local
            title: 某局
            extends: "001"
            rules:
              av.coercive_measures:
                cite_by_act: {execution.restoration: [本局 第一条]}
        """,
    )
    assert "cite_by_act" in exc.problems[0].message


def test_photos_count_unless_the_text_asks_for_continuous_recording():
    """全程音像记录 (004; 003 第十九条) takes video or audio; 音像记录, 同时进行音像记录 or
    适当方式 (001 第九条, 002 第十三、十五、二十五、二十七、三十条) is met by photos too, which
    001 第三条 and 002 第三条 count as 音像记录."""
    continuous = {
        name: sorted(
            rule_id
            for rule_id, rule in packs.load_pack(name).rules.items()
            if isinstance(rule, P.AudioVideo) and rule.continuous
        )
        for name in packs.BUILTIN
    }
    # 002 says nothing of other acts on major interests or of 执法办案场所: 004's 全程 holds
    major = ["av.case_site", "av.major_interest"]
    assert continuous == {
        "national": sorted(["av.coercive_measures", "av.forced_demolition", *major]),
        "001": [],
        "002": major,
        "003": sorted(["av.coercive_measures", "av.forced_demolition", *major]),
    }


def _cites(pack: P.Pack) -> set[str]:
    out: set[str] = set(pack.refusal.cite if pack.refusal else [])
    for rule in pack.rules.values():
        out |= set(rule.cite)
        out |= {c for cs in getattr(rule, "cite_by_act", {}).values() for c in cs}
        out |= {c for cs in getattr(rule, "cite_by_outcome", {}).values() for c in cs}
        out |= {c for t in getattr(rule, "long_term", []) for c in t.cite}
    return out


@pytest.mark.parametrize("name", packs.BUILTIN)
def test_every_cite_names_its_text_by_title(name):
    """A supervisor outside the agency reads "《…》第二十七条", not "002 第二十七条" alone:
    every short code a shipped pack cites has its full title in the pack's ``sources``."""
    pack = packs.load_pack(name)
    untitled = sorted(c for c in _cites(pack) if pack.cite_text(c) == c)
    assert not untitled
    assert all(pack.cite_text(c).startswith("《") for c in _cites(pack))


def test_a_cite_reads_title_and_article_and_an_unknown_code_stays():
    two = packs.load_pack("002")
    assert two.cite_text("002 第二十七条") == "《行政执法全过程记录实施办法（试行）》第二十七条"
    assert two.cite_text("行政处罚法 第五十八条第一款") == (
        "《中华人民共和国行政处罚法》第五十八条第一款"
    )  # inherited from national
    assert two.cite_text("本局 第一条") == "本局 第一条"
    exc = refusal("local", "pack: local\ntitle: 某局\nsources: [x]\nrules: {}\n")
    assert exc.problems[0].field == "sources"
