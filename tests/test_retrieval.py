"""Similar-project search over the bundled corpus: same-name pairs, reasons, exclusion."""

import re

import pytest
from jixiao.bot.domain.models import Filing
from jixiao.bot.retrieval import Hit, Query, SearchIndex
from jixiao.bot.retrieval.index import same_unit
from jixiao.bot.retrieval.text import (
    TOKENIZERS,
    clean,
    indicator_similarity,
    normalize_name,
    normalize_unit,
)
from jixiao.store.corpus import bundled_corpus

CORPUS = bundled_corpus()
FORENSIC = "上海市司法鉴定中心"
BAOSHAN = "上海市宝山区司法局"


def filing(year: int, name: str) -> Filing:
    return next(f for f in CORPUS if f.year == year and f.project_name == name)


def query_of(f: Filing) -> Query:
    return Query(name=f.project_name, category=f.category, department=f.department, goal=f.goal, year=f.year)


@pytest.fixture(scope="module")
def index() -> SearchIndex:
    return SearchIndex(CORPUS)


def names(hits: list[Hit]) -> list[str]:
    return [h.filing.project_name for h in hits]


# -- text ------------------------------------------------------------------------------
def test_clean_removes_punctuation_and_rewrites_abbreviations():
    assert clean("网络信息系统运行与维护") == "网络信息系统运维"
    assert clean("上海市司法鉴定信息管理系统（运维）") == clean("上海市司法鉴定信息管理系统(运维)")
    assert clean("村(居)委 专职调解") == "村居委专职调解"
    assert clean(None) == ""


def test_normalize_name_drops_a_leading_year():
    assert normalize_name("2025年度残疾人就业保障金") == normalize_name("残疾人就业保障金")
    assert normalize_name("2024年残疾人就业保障金") == "残疾人就业保障金"


def test_normalize_unit_drops_shanghai_prefix():
    assert normalize_unit("上海市宝山区司法局") == normalize_unit("宝山区司法局") == "宝山区司法局"


def test_indicator_similarity_merges_wording_not_meaning():
    assert indicator_similarity("资金使用合规性", "资金使用规范性") >= 85
    assert indicator_similarity("立项依据充分性", "立项依据的充分性") == 100
    assert indicator_similarity("社会公众满意率", "社会公众满意度") >= 85
    assert indicator_similarity("补贴与政策一致性", "补贴与标准一致性") < 80
    assert indicator_similarity("辅助人员满意度", "办案人员满意度") < 80


def test_same_unit_matches_typed_variants():
    baoshan = filing(2024, "残疾人就业保障金")
    assert same_unit("宝山区司法局", baoshan)
    assert same_unit("上海市宝山区司法局", baoshan)
    assert not same_unit("上海市松江区社会保障服务中心", baoshan)
    assert not same_unit(None, baoshan)
    songjiang = filing(2026, "工伤鉴定")  # department 人社局, implementing unit 社会保障服务中心
    assert same_unit("松江区社会保障服务中心", songjiang)


# -- same-name pairs -----------------------------------------------------------------
def test_same_name_2024_finds_2020_first(index):
    target = filing(2024, "残疾人就业保障金")
    hits = index.search(query_of(target), exclude=lambda f: f is target)
    first = hits[0]
    assert (first.filing.year, first.filing.project_name, first.filing.department) == (2020, "残疾人就业保障金", FORENSIC)
    assert first.same_name and first.reasons[0] == "同名项目（2020年）"
    # Baoshan's own projects share unit and category but still rank below the same-name project.
    assert all(h.score < first.score for h in hits[1:])
    assert any(h.same_unit for h in hits[1:])


def test_same_name_2020_finds_2024_first(index):
    target = filing(2020, "残疾人就业保障金")
    hits = index.search(query_of(target), exclude=lambda f: f is target)
    assert (hits[0].filing.year, hits[0].filing.department) == (2024, BAOSHAN)
    assert "同名项目（2024年）" in hits[0].reasons
    assert "年度目标相近" in hits[0].reasons  # 按时足额缴纳 ≈ 足额缴纳


def test_same_name_beats_a_unit_and_category_match(index):
    hits = index.search(Query("残疾人就业保障金", category="其他人员类", department=BAOSHAN, year=2025),
                        exclude=lambda f: f.year == 2024 and f.project_name == "残疾人就业保障金")
    assert names(hits)[0] == "残疾人就业保障金"
    assert hits[0].filing.year == 2020


def test_same_name_with_a_year_prefix_and_other_brackets(index):
    hits = index.search(Query("2027年度上海市司法鉴定信息管理系统(运维)"))
    assert hits[0].filing.project_name == "上海市司法鉴定信息管理系统（运维）"
    assert hits[0].same_name


def test_information_maintenance_trio_in_top_three(index):
    court = filing(2020, "信息化运维")
    hits = index.search(Query("信息化运维", year=2026), top=3, exclude=lambda f: f is court)
    assert "网络信息系统运行与维护" in names(hits)
    assert "上海市司法鉴定信息管理系统（运维）" in names(hits)
    maintenance = next(h for h in hits if h.filing.project_name == "网络信息系统运行与维护")
    assert maintenance.reasons[0] == "名称相近（都有“信息”“运维”）"  # words, not the pairs 息系、系统


def test_information_maintenance_reverse(index):
    songjiang = filing(2026, "网络信息系统运行与维护")
    hits = index.search(Query("网络信息系统运行与维护", year=2026), top=3, exclude=lambda f: f is songjiang)
    assert {"信息化运维", "上海市司法鉴定信息管理系统（运维）"} <= set(names(hits))


def test_work_injury_projects_find_each_other(index):
    hits = index.search(Query("工伤鉴定", year=2027), top=3)
    assert names(hits)[0] == "工伤鉴定"
    assert "社管中心工伤异地调查、劳动能力鉴定费用" in names(hits)


def test_mediation_projects_rank_by_name(index):
    target = filing(2024, "专职调解员工作津贴")
    hits = index.search(query_of(target), exclude=lambda f: f is target)
    assert names(hits)[0] == "村(居)委专职调解岗位工作津贴"


# -- reasons, scores, exclusion ------------------------------------------------------
def test_every_hit_has_reasons_and_sorted_scores(index):
    for target in CORPUS:
        hits = index.search(query_of(target), exclude=lambda f, t=target: f is t)
        assert hits, target.project_name
        assert all(h.reasons and all(isinstance(r, str) and r for r in h.reasons) for h in hits)
        for reason in (r for h in hits for r in h.reasons if not r.startswith(("同名项目", "同单位"))):
            assert not re.search(r"\d", re.sub(r"(19|20)\d\d年", "", reason)), reason  # no scores
        scores = [h.score for h in hits]
        assert scores == sorted(scores, reverse=True)


def test_reasons_name_unit_and_category(index):
    hits = index.search(Query("社区矫正中心物业费", category="其他运转类", department="宝山区司法局", year=2025))
    top = hits[0]
    assert top.filing.project_name.startswith("社区矫正中心")
    joined = " ".join(top.reasons)
    assert "名称相近（都有“社区矫正中心”）" in joined
    assert "同单位 上海市宝山区司法局" in top.reasons
    assert "同类别 其他运转类" in top.reasons


def test_exclusion_never_returns_excluded_filings(index):
    excluded = {f.key for f in CORPUS if f.project_name == "残疾人就业保障金"}
    hits = index.search(Query("残疾人就业保障金", department=BAOSHAN), top=10, exclude=lambda f: f.key in excluded)
    assert hits and not any(h.filing.key in excluded for h in hits)
    assert not any(h.same_name for h in hits)


def test_exclusion_still_fills_top(index):
    target = filing(2024, "人民调解员办案补贴")
    hits = index.search(query_of(target), top=5, exclude=lambda f: f is target)
    assert len(hits) == 5 and target not in [h.filing for h in hits]


def test_top_and_empty_cases():
    assert SearchIndex([]).search(Query("信息化运维")) == []
    assert len(SearchIndex([])) == 0
    index = SearchIndex(CORPUS)
    assert len(index) == 26
    assert index.search(Query("信息化运维"), top=0) == []
    assert len(index.search(Query("信息化运维"), top=2)) == 2
    assert index.search(Query("")) == []  # nothing to go on: no name, unit, goal or category
    assert index.search(Query("！？", department="宝山区司法局"))  # the unit alone still finds its projects


def test_unknown_words_find_nothing_rather_than_noise(index):
    assert index.search(Query("量子计算机采购", year=2026)) == []


@pytest.mark.parametrize("tokenizer_name", TOKENIZERS)
def test_every_tokenizer_finds_the_same_name_pair(tokenizer_name):
    index = SearchIndex(CORPUS, tokenizer_name=tokenizer_name)
    target = filing(2024, "残疾人就业保障金")
    hits = index.search(query_of(target), exclude=lambda f: f is target)
    assert hits[0].filing.project_name == "残疾人就业保障金"


def test_unknown_tokenizer_is_refused():
    with pytest.raises(ValueError, match="unknown tokenizer"):
        SearchIndex(CORPUS, tokenizer_name="words")


def test_common_tokens_do_not_hide_the_exact_name():
    """With thousands of names sharing every bigram of the query, the same name still ranks first."""
    seed = filing(2026, "工伤鉴定")
    noise = [seed.model_copy(update={"project_name": f"工伤鉴定工作{i}", "department": f"单位{i}"}) for i in range(6000)]
    index = SearchIndex([*noise, seed])
    hits = index.search(Query("工伤鉴定", year=2026), top=3)
    assert hits[0].filing is seed and hits[0].same_name


def test_shared_words_are_whole_stretches_not_character_pairs():
    from jixiao.bot.retrieval.text import shared_words

    assert shared_words(normalize_name("信息化运维"), normalize_name("网络信息系统运行与维护")) == ["信息", "运维"]
    assert shared_words("专职调解员工作津贴", "村居委专职调解岗位工作津贴") == ["专职调解", "工作津贴"]
    assert shared_words("法律援助", "物业管理") == []
