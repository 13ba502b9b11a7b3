"""The seed-text parser against tables read off the seed files by hand.

Expected values below were read from tests/fixtures/seeds/*.txt by eye, not produced
by the parser: one whole table per format (and the drifting 2024 ones) is asserted
indicator by indicator.
"""

from datetime import date
from pathlib import Path

import pytest
from jixiao.bot.corpus.seedtext import read_text

SEEDS = Path(__file__).parent / "fixtures" / "seeds"


def load(name: str):
    return [t.filing for t in read_text((SEEDS / name).read_text(encoding="utf-8"), name)]


@pytest.fixture(scope="module")
def songjiang():
    return load("2026_songjiang_social_security_center.txt")


@pytest.fixture(scope="module")
def baoshan():
    return load("2024_baoshan_justice_bureau.txt")


@pytest.fixture(scope="module")
def court():
    return load("2020_shanghai_first_intermediate_court.txt")


@pytest.fixture(scope="module")
def putuo():
    return load("2020_putuo_social_security_center.txt")


@pytest.fixture(scope="module")
def forensic():
    return load("2020_shanghai_forensic_center.txt")


def rows(filing):
    return [(i.level1, i.level2, i.name, i.value) for i in filing.indicators]


# ---------------------------------------------------------------- table counts
def test_every_seed_file_yields_its_tables(songjiang, baoshan, court, putuo, forensic):
    assert [len(x) for x in (forensic, court, putuo, baoshan, songjiang)] == [4, 4, 3, 10, 5]
    everything = forensic + court + putuo + baoshan + songjiang
    incomplete = [f.project_name for f in everything if not f.complete]
    assert incomplete == ["征地养老医药费报销管理系统"]
    assert [f.source.index for f in baoshan] == list(range(10))


def test_formats_are_detected_from_content(songjiang, baoshan, court):
    assert {f.format for f in songjiang} == {"2026"}
    assert {f.format for f in baoshan} == {"2024"}
    assert {f.format for f in court} == {"2020"}


# ---------------------------------------------------------------- 2026, whole table
def test_2026_work_injury_table_header_and_money(songjiang):
    f = songjiang[1]
    assert f.project_name == "工伤鉴定"
    assert (f.year, f.format) == (2026, "2026")
    assert f.department == "上海市松江区人力资源和社会保障局"
    assert f.implementing_unit == "上海市松江区社会保障服务中心"
    assert (f.category, f.nature) == ("特定目标类", "其他经常性项目")
    assert (f.start, f.end) == (date(2026, 1, 1), date(2026, 12, 31))
    assert f.funding.total is None  # the form leaves 项目资金总额 blank
    assert f.funding.annual_request == 711000.0
    assert f.funding.fiscal is None
    assert f.funding.current_appropriation == 711000.0
    assert f.funding.carryover == 0.0
    assert f.funding.other == 0.0
    assert "未填：项目资金总额" in f.problems
    assert f.complete
    assert f.goal.startswith("确保工伤认定和劳动能力鉴定工作有序开展")
    assert "完成鉴定案件不少于3300件" in f.goal
    assert f.goal.endswith("每次排派出3人专家团队。")
    assert f.source.file == "2026_songjiang_social_security_center.txt"


def test_2026_work_injury_table_indicators(songjiang):
    assert rows(songjiang[1]) == [
        ("成本指标", "经济成本指标", "每份文书邮寄成本", "≤15.00(元)"),
        ("成本指标", "经济成本指标", "专家人(次)均费用", "≤1194.00(元)"),
        ("产出指标", "数量指标", "工伤鉴定认定邮寄数", "≥18000.00(件)"),
        ("产出指标", "数量指标", "完成鉴定任务件数", "≥3300.00(件)"),
        ("产出指标", "数量指标", "每月出席鉴定会专家人次", "≥25.00(人次)"),
        ("产出指标", "数量指标", "上门鉴定服务次数", "≤3.00(次)"),
        ("产出指标", "质量指标", "工伤鉴定认定准确送达率", "≥95.00(%)"),
        ("产出指标", "质量指标", "劳动能力鉴定工作开展政策符合度", "=100.00(%)"),
        ("产出指标", "时效指标", "鉴定结论准确及时", "及时"),
        ("产出指标", "时效指标", "文书发出及时性", "及时"),
        ("产出指标", "时效指标", "案件审限时间缩短情况", "缩短"),
        ("产出指标", "时效指标", "每月鉴定会召开及时性", "及时"),
        ("产出指标", "时效指标", "上门鉴定服务完成时间", "2026年12月底前"),
        ("效益指标", "社会效益指标", "保障工伤职工和单位的合法权益", "保障"),
        ("效益指标", "社会效益指标", "保障有序开展工伤认定和劳动能力鉴定工作", "保障"),
        ("效益指标", "社会效益指标", "维护工伤职工合法权益", "维护"),
        ("效益指标", "可持续影响指标", "相关工作规范执行有效性", "有效"),
        ("效益指标", "可持续影响指标", "专家出席情况统计清单保存完整性", "完整"),
        ("满意度指标", "服务对象满意度指标", "群众满意度", "≥95.00(%)"),
        ("满意度指标", "服务对象满意度指标", "群众满意度", "≥90.00(%)"),
    ]


def test_2026_drifting_rows_stay_under_their_levels(songjiang):
    # line "文档查阅效率提高情况⇥⇥⇥提高" starts in the first column, still 社会效益指标
    network = songjiang[4]
    assert rows(network)[-2] == ("效益指标", "社会效益指标", "文档查阅效率提高情况", "提高")
    assert rows(network)[-1] == ("满意度指标", "服务对象满意度指标", "使用者满意度", "≥95.00(%)")
    # "⇥体检安排的及时性⇥及时" printed in the 一级 column is an indicator, not a level
    staff = songjiang[0]
    assert ("产出指标", "时效指标", "体检安排的及时性", "及时") in rows(staff)
    # a 二级 name printed in the third column is still a 二级
    archive = songjiang[3]
    assert rows(archive)[2] == ("产出指标", "质量指标", "纸质档案扫描清晰度", "清晰")
    assert len(network.indicators) == 17


# ---------------------------------------------------------------- 2024, drifting columns
def test_2024_medical_dispute_subsidy_whole_table(baoshan):
    f = baoshan[2]
    assert f.project_name == "医患纠纷办案补贴"
    assert (f.department, f.implementing_unit) == ("上海市宝山区司法局", "上海市宝山区司法局")
    assert f.category == "其他人员类"
    assert f.nature is None
    assert f.funding.total == f.funding.annual_request == 81200.0
    assert f.funding.fiscal == f.funding.current_appropriation == 81200.0
    assert f.funding.carryover is None and f.funding.other is None
    assert f.goal == "进一步加强我区医患纠纷人民调解工作，调动人民调解员的工作积极性，促进人民调解工作能力和调解质量的提高，维护地区和谐医患关系。"
    assert rows(f) == [
        ("产出指标", "数量指标", "处理医患纠纷事件数", "≥1000.00(件)"),
        ("产出指标", "质量指标", "补贴与政策一致性", None),  # the form prints no value here
        ("产出指标", "质量指标", "补贴与标准一致性", "一致"),
        ("产出指标", "质量指标", "工作完成及时性", "及时"),
        ("产出指标", "成本指标", "成本合理性", "按照政策标准执行"),
        ("效益指标", "社会效益指标", "人民调解公信力", "提高"),
        ("效益指标", "社会效益指标", "促进地区和谐稳定", "促进"),
        ("效益指标", "可持续影响指标", "立项依据的充分性", "充分"),
        ("效益指标", "可持续影响指标", "项目立项的规范性", "规范"),
        ("满意度指标", "服务对象满意度指标", "社会公众满意率", "≥85.00(%)"),
    ]
    assert f.complete  # a blank cell is not incompleteness …
    assert "未填：指标值（补贴与政策一致性）" in f.problems  # … but it is reported
    assert "未填：上年结转资金" in f.problems


def test_2024_levels_printed_in_the_wrong_column(baoshan):
    f = baoshan[1]
    assert f.project_name == "政府购买服务人员专项经费"
    assert f.funding.total == 5246207.06
    assert rows(f) == [
        ("产出指标", "数量指标", "政府购买服务人员数量", "≤37.00(人)"),  # printed "≤ 37.00 (人)"
        ("产出指标", "质量指标", "符合政策及法律", "无差错"),
        ("产出指标", "时效指标", "工作完成及时性", "及时"),
        ("效益指标", "社会效益指标", "充分发挥辅助审判工作效能", "良好"),
        ("效益指标", "社会效益指标", "提高办案效率", "良好"),
        ("效益指标", "可持续影响指标", "缓解人案矛盾情况", "良好"),
        ("满意度指标", "服务对象满意度指标", "法院、检察院满意度", "≥85.00(%)"),
    ]


def test_2024_cost_row_without_value_and_empty_level_rows(baoshan):
    rent = baoshan[3]
    assert rent.project_name == "社区矫正中心房屋租赁费"
    assert ("产出指标", "成本指标", "成本合理性", None) in rows(rent)
    assert ("产出指标", "数量指标", "房屋租赁面积", "=721.00(平方米)") in rows(rent)
    assert ("效益指标", "可持续影响指标", "项目立项规范性", "规范") in rows(rent)
    assert not any(i.level2 in ("经济效益指标", "生态效益指标") for i in rent.indicators)
    first = baoshan[0]
    assert first.project_name == "村(居)委专职调解岗位工作津贴"
    assert first.funding.total == 2646000.0
    assert len(first.indicators) == 9


# ---------------------------------------------------------------- 2020, space-separated
def test_2020_court_it_build_header_and_prior_year(court):
    f = court[2]
    assert f.project_name == "信息化新建"
    assert f.department == "上海市第一中级人民法院"
    assert f.implementing_unit is None
    assert f.category == "其他一次性项目"
    assert f.performance_type == "信息化建设工程类"
    assert f.gov_purchase is False
    assert (f.start, f.end) == (date(2020, 1, 1), date(2020, 12, 31))
    assert f.prior_year.total_budget == 10359047.0
    assert f.prior_year.current_budget == 10359047.0
    assert f.prior_year.last_year_budget == 9629866.0
    assert f.prior_year.last_year_executed == 9629866.0
    assert f.goal.startswith("通过信息化开发建设项目的实施，更好的运用司法大数据")
    assert "全面推进一中院在审判、执行、日常办公过程中的信息化建设" in f.goal  # joined across lines
    assert f.goal.endswith("提升法院数字化办案水平。")
    assert f.problems == []


def test_2020_court_it_build_indicators(court):
    assert rows(court[2]) == [
        ("投入与管理", "投入管理", "预算执行率", "=100%"),
        ("投入与管理", "投入管理", "支付及时率", "=100%"),
        ("投入与管理", "财务管理", "财务管理制度健全性", "健全"),
        ("投入与管理", "财务管理", "财务监控有效性", "有效"),
        ("投入与管理", "财务管理", "资金使用规范性", "规范"),
        ("投入与管理", "实施管理", "项目管理制度健全性", "健全"),
        ("投入与管理", "实施管理", "政府采购规范性", "合规"),
        ("投入与管理", "实施管理", "合同管理完备性", "完备"),
        ("投入与管理", "实施管理", "项目验收规范性", "规范"),
        ("投入与管理", "实施管理", "监理规范性", "规范"),
        ("投入与管理", "实施管理", "项目管理制度实施有效性", "有效"),
        ("产出目标", "数量", "裁判文书质检系统建设完成率", "=100%"),
        ("产出目标", "数量", "最高院第四届大数据专题协作任务《非法集资案件特征、趋势及防范分析研究》完成率", "=100%"),
        ("产出目标", "数量", "庭审智能分析与督导系统建设完成率", "=100%"),
        ("产出目标", "数量", "数据治理完成率", "=100%"),
        ("产出目标", "数量", "调解室同步录音录像系统建设完成率", "=100%"),
        ("产出目标", "数量", "信息化运维管理平台建设完成率", "=100%"),
        ("产出目标", "数量", "上海移动微法院和一网通办诉讼服务配套项目完成率", "=100%"),
        ("产出目标", "数量", "智能法庭、会议系统改造完成率", "=100%"),
        ("产出目标", "数量", "规范透明执行办案软件建设项目完成率", "=100%"),
        ("产出目标", "数量", "审判管理系统升级改造完成率", "=100%"),
        ("产出目标", "质量", "工程验收合格率", "=100%"),
        ("产出目标", "时效", "设备采购及时率", "=100%"),
        ("产出目标", "时效", "工程完成及时率", "=100%"),
        ("效果目标", "社会效益", "信息化管理效率", "提升"),
        ("效果目标", "社会效益", "信息化办案业务效率", "提升"),
        ("效果目标", "社会效益", "发生信息安全事故", "=0次"),
        ("效果目标", "社会效益", "软件知识产权明确性", "明确"),
        ("效果目标", "满意度", "办案人员满意度", ">=90%"),
        ("影响力目标", "长效管理", "信息化建设长期规划", "完善"),
        ("影响力目标", "人力资源", "建设人员到位率", "=100%"),
    ]


def test_2020_wrapped_project_name_is_joined(forensic):
    f = forensic[2]
    assert f.project_name == "上海市司法鉴定信息管理系统（运维）"
    assert f.performance_type == "信息化建设工程类"
    assert f.prior_year.total_budget == 45600.0
    assert f.prior_year.last_year_budget is None  # printed blank
    assert "未填：同名项目上年预算额" in f.problems
    assert f.complete


def test_2020_forensic_fee_targets_with_dates_and_units(forensic):
    f = forensic[3]
    assert f.project_name == "司法鉴定费"
    assert f.performance_type == "事业/专业类"
    assert f.prior_year.last_year_budget == 500000.0
    assert rows(f)[:5] == [
        ("产出目标", "数量", "重大疑难案件鉴定完成数", "<=60个"),
        ("产出目标", "数量", "司法鉴定培训人数", "<=300人次"),
        ("产出目标", "质量", "司法鉴定结案率", "=100%"),
        ("产出目标", "时效", "司法鉴定业务完成及时性", "12月31日前"),
        ("产出目标", "时效", "司法鉴定培训完成及时性", "12月31日前"),
    ]
    assert not any(i.level1 == "投入与管理" for i in f.indicators)  # this table has none


# ---------------------------------------------------------------- 2020, tab-separated
def test_2020_putuo_tabbed_whole_table(putuo):
    f = putuo[0]
    assert f.project_name == "社管中心工伤异地调查、劳动能力鉴定费用"
    assert f.department == "上海市普陀区社会保障管理服务中心"
    assert f.category == "延续性项目"
    assert f.start == date(2020, 1, 1)  # printed 2020-1-1
    assert f.end == date(2020, 12, 31)
    assert f.gov_purchase is False
    assert f.performance_type is None and "未填：绩效类型" in f.problems
    assert f.prior_year.model_dump() == {
        "total_budget": 292417.0,
        "current_budget": 292417.0,
        "last_year_budget": 293700.0,
        "last_year_executed": 266229.0,
    }
    assert f.goal.startswith("1、依法对在外地发生工伤的案件调查取证")
    assert rows(f) == [
        ("投入与管理", "投入管理", "预算执行率", ">90%"),
        ("投入与管理", "投入管理", "预算资金到位率", "=100%"),
        ("投入与管理", "投入管理", "预算编制规范性", "规范"),
        ("投入与管理", "财务管理", "财务管理制度健全性", "健全"),
        ("投入与管理", "财务管理", "财务监控有效性", "有效"),
        ("投入与管理", "财务管理", "资金使用合规性", "合规"),
        ("投入与管理", "项目管理", "工作计划完整性", "完整"),
        ("投入与管理", "项目管理", "项目管理制度健全性", "健全"),
        ("产出目标", "数量", "发放宣传手册", "=2500本"),
        ("产出目标", "数量", "医学专家面检", "≥15次"),
        ("产出目标", "时效", "调查及时性", "及时"),
        ("效果目标", "社会效益", "鉴定报告准确性", "=100%"),
        ("效果目标", "社会效益", "案件结案率", "=100%"),
        ("影响力目标", "长效管理", "长效管理制度建设", "完善"),
        ("影响力目标", "人力资源", "人员到位率", "=100%"),
        ("影响力目标", "其它", "立项依据的充分性", "充分"),
    ]


def test_2020_putuo_money_with_thousands_separator(putuo):
    assert putuo[1].prior_year.last_year_executed == 145147721.65


def test_putuo_cut_table_is_incomplete_and_takes_no_values(putuo):
    f = putuo[2]
    assert f.project_name == "征地养老医药费报销管理系统"
    assert f.complete is False
    assert any("“指标目标值”一列被截断" in p for p in f.problems)
    assert any("表格外有 34 行文字无法归位" in p for p in f.problems)
    assert f.end is None
    assert len(f.indicators) == 15
    # never values taken from the wrong rows, nor the truncated ">9" / "=10" cells
    assert all(i.value is None for i in f.indicators)
    assert f.indicators[0].name == "预算执行率"
    assert f.indicators[-1].name == "立项依据充分性"


def test_putuo_level_spelling_kept_as_printed(putuo):
    assert ("影响力目标", "其他", "绩效目标合理性", None) in rows(putuo[2])
    assert ("影响力目标", "其它", "绩效目标合理性", "合理") in rows(putuo[1])
