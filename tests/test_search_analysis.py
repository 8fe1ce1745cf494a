"""The shared analysis pipeline: dictionary segmentation, synonyms, pinyin, mixed scripts."""

from search.analysis import (
    INITIALS,
    PINYIN,
    highlight,
    parse_query,
    pinyin_tokens,
    relaxed_query,
    relaxing_helps,
    segment,
    split_pinyin,
    synonyms,
    tokens,
)


def phrases(query):
    return [
        [(alt.tokens, alt.fields) for alt in term.alternatives] for term in parse_query(query).terms
    ]


def test_index_tokens_are_characters_and_latin_words_split_at_digits():
    assert tokens("场发射SEM SU8220（日立）") == ["场", "发", "射", "sem", "su", "8220", "日", "立"]


def test_full_width_text_is_folded_before_tokenizing():
    assert tokens("ＬＣ－ＭＳ") == ["lc", "ms"]


def test_domain_dictionary_keeps_instrument_terms_whole():
    assert segment("场发射扫描电镜") == ["场发射", "扫描电镜"]
    assert segment("高分辨质谱仪") == ["高分辨", "质谱仪"]


def test_compound_query_becomes_phrases_not_a_bag_of_subwords():
    terms = parse_query("二氧化碳培养箱").terms
    assert [term.text for term in terms] == ["二氧化碳", "培养箱"]
    assert terms[0].alternatives[0].tokens == ("二", "氧", "化", "碳")


def test_synonyms_work_both_ways():
    assert "电子显微镜" in synonyms("电镜")
    assert "电镜" in synonyms("电子显微镜")
    assert "sem" in synonyms("扫描电镜")
    assert "扫描电镜" in synonyms("SEM")
    assert "nmr" in synonyms("核磁")


def test_synonym_of_a_part_of_a_term_is_used():
    assert "高分辨透射电子显微镜" in synonyms("高分辨透射电镜")


def test_hyphenated_latin_stays_one_term_with_its_synonyms():
    [term] = parse_query("LC-MS").terms
    alternatives = [alt.tokens for alt in term.alternatives]
    assert ("lc", "ms") in alternatives
    assert tuple("液质") in alternatives


def test_pinyin_and_initials_of_names():
    syllables, initials = pinyin_tokens("扫描电镜 SU8220")
    assert syllables == ["sao", "miao", "dian", "jing"]
    assert initials == ["s", "m", "d", "j"]


def test_pinyin_queries_are_split_into_syllables_or_read_as_initials():
    assert split_pinyin("saomiaodianjing") == ["sao", "miao", "dian", "jing"]
    assert split_pinyin("orbitrap") is None
    [term] = parse_query("smdj").terms
    fields = {alt.fields for alt in term.alternatives}
    assert (INITIALS,) in fields
    [term] = parse_query("dianjing").terms
    assert any(
        alt.fields == (PINYIN,) and alt.tokens == ("dian", "jing") for alt in term.alternatives
    )


def test_mixed_chinese_english_and_model_numbers():
    terms = [term.text for term in parse_query("Orbitrap Exploris 480 高分辨质谱仪").terms]
    assert terms == ["orbitrap", "exploris", "480", "高分辨", "质谱仪"]


def test_one_and_two_character_queries_have_terms():
    assert [t.text for t in parse_query("镜").terms] == ["镜"]
    assert [t.text for t in parse_query("质谱").terms] == ["质谱"]


def test_punctuation_and_fts_syntax_leave_no_operators():
    assert parse_query("!!! ？？ 。").empty
    for query in ['"', "*", "NEAR(a b)", "a OR b", "-x", "title:foo", "'; DROP TABLE x"]:
        for term in parse_query(query).terms:
            for alt in term.alternatives:
                assert all(token.isalnum() for token in alt.tokens)


def test_very_long_query_is_truncated():
    parsed = parse_query("电镜" * 5000)
    assert 0 < len(parsed.terms) <= 12


def test_relaxed_query_adds_two_character_pieces_for_typos():
    [term] = relaxed_query(parse_query("扫描电境")).terms
    assert ("扫", "描") in [alt.tokens for alt in term.alternatives]


def test_the_forgiving_retry_runs_only_when_it_can_find_more():
    for query, helps in (
        ("smdj", False),
        ("TEM-99", False),
        ("扫描电境", True),
        ("新材料 茶", True),
    ):
        parsed = parse_query(query)
        assert relaxing_helps(parsed, relaxed_query(parsed)) is helps, query


def test_full_pinyin_of_several_syllables_is_not_also_initials():
    def initials(query):
        [term] = parse_query(query).terms
        return [alt.tokens for alt in term.alternatives if alt.fields == (INITIALS,)]

    assert initials("dianjing") == []
    assert initials("smdj") == [tuple("smdj")]
    assert initials("sao") == [tuple("sao")]  # one syllable: may be initials too


def test_highlight_finds_full_width_letters_and_keeps_the_texts_own_characters():
    html = highlight("型号：ＳＵ８２２０，场发射　扫描电镜（冷场）", [("su", "8220"), ("扫", "描")])
    assert "<mark>ＳＵ８２２０</mark>" in html
    assert html.startswith("型号：")
    assert "（冷场）" in html
    # a separator between two tokens may be a full-width hyphen
    assert "<mark>ＴＥＭ－０１</mark>" in highlight("透射电镜ＴＥＭ－０１型", [("tem", "01")])


def test_highlight_marks_matches_and_escapes_html():
    html = highlight("<b>场发射扫描电子显微镜</b> SU8220", [("扫", "描"), ("su", "8220")])
    assert "<mark>扫描</mark>" in html
    assert "<mark>SU8220</mark>" in html
    assert "<b>" not in html
