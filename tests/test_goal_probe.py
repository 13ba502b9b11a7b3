"""Goal quantities of the 19 new-project probe (2027 filings) and more goals of other project
types. Every expected name and value below was read by hand from the goal sentence."""

import pytest

from jixiao.bot.domain.goal import goal_quantities
from jixiao.bot.domain.values import format_value


def read(goal: str) -> list[tuple[str, str]]:
    """(indicator name, value as the 2026 form prints it) for every quantity of ``goal``."""
    return [(q.name, format_value(q.value, "bracketed")) for q in goal_quantities(goal)]


def values(goal: str) -> list[str]:
    return [v for _, v in read(goal)]


# -- 1. units outside the old list --------------------------------------------------------
@pytest.mark.parametrize("goal, expected", [
    ("全年对辖区重点企业开展安全生产执法检查不少于360家次", [("安全生产执法检查家次", "≥360.00(家次)")]),   # P10
    ("全年比对监测不少于220家次。", [("比对监测家次", "≥220.00(家次)")]),                                  # P18
    ("保洁水面面积不少于120万平方米", [("保洁水面面积", "≥120.00(万平方米)")]),                             # P05
    ("受益农田面积不少于6万亩。", [("受益农田面积", "≥6.00(万亩)")]),                                      # P11
    ("全年更新高清监控摄像机300路、存储设备12台", [("更新高清监控摄像机路数", "≥300.00(路)"), ("存储设备数量", "≥12.00(台)")]),  # P15
    ("全年培训基层干部不少于2万人次", [("培训基层干部人次", "≥2.00(万人次)")]),
    ("新增绿化面积不少于3.5万平方米", [("新增绿化面积", "≥3.50(万平方米)")]),
    ("全年处置生活垃圾不少于1.2万吨", [("处置生活垃圾重量", "≥1.20(万吨)")]),
    ("完成雨污管网改造不少于1200延米", [("雨污管网改造长度", "≥1200.00(延米)")]),
    ("更新消防救援装备不少于40台套", [("更新消防救援装备数量", "≥40.00(台套)")]),
])
def test_units_outside_the_old_list(goal, expected):
    assert read(goal) == expected


def test_an_age_describes_who_is_served_not_a_target():
    """P04: "80周岁以上老人" became 辖区岁以上老人时间 ≤80.00(周)."""
    goal = "全年为辖区80周岁以上老人提供助餐补贴，受益老人不少于1200人，每人每餐补贴不超过5元，全年助餐不少于43万人次"
    assert values(goal) == ["≥1200.00(人)", "≤5.00(元)", "≥43.00(万人次)"]
    assert values("为60岁及以上困难老人提供上门服务不少于5000人次") == ["≥5000.00(人次)"]


# -- 2. lengths are lengths, not counts ---------------------------------------------------
@pytest.mark.parametrize("goal, name, value", [
    ("全年维修渠道不少于45公里。", "维修渠道长度", "≥45.00(公里)"),
    ("全年维修灌排渠道不少于45公里，维修泵站16座", "维修灌排渠道长度", "≥45.00(公里)"),    # P11
    ("全年养护农村公路不少于200公里", "养护农村公路长度", "≥200.00(公里)"),
    ("新建慢行步道3.2千米", "新建慢行步道长度", "≥3.20(公里)"),
    ("铺设供水管道800米", "铺设供水管道长度", "≥800.00(米)"),
    ("清运河道淤泥不少于5000立方米", "清运河道淤泥体积", "≥5000.00(立方米)"),
])
def test_lengths_volumes_and_weights_are_named_by_what_they_measure(goal, name, value):
    assert read(goal)[0] == (name, value)


# -- 3. operators -------------------------------------------------------------------------
@pytest.mark.parametrize("goal, expected", [
    ("不合格食品核查处置率100%", ["=100.00(%)"]),                     # P03: not ≤100% because of 不合格
    ("每周提供课后服务5天，每天不少于2小时", ["=5.00(天)", "≥2.00(小时)"]),  # P13: not ≤5天
    ("全年校园安全责任事故为0起。", ["=0.00(起)"]),                    # P06: as jixiao value reads 为0起
    ("较大以上生产安全事故起数为0", ["=0.00(起)"]),                    # P10: no unit after the number
    ("投诉件数不超过5", ["≤5.00(件)"]),
    ("报修后30分钟以内到场", ["≤30.00(分钟)"]),
    ("服务时长超过200小时", [">200.00(小时)"]),
    ("课程完成率达到95%以上", ["≥95.00(%)"]),
    ("安全事故发生率低于1%", ["<1.00(%)"]),
    ("故障率0.5%", ["≤0.50(%)"]),  # a bad thing's figure with no word is a ceiling
])
def test_operators(goal, expected):
    assert values(goal) == expected


# -- 4. names are whole words of the goal -------------------------------------------------
@pytest.mark.parametrize("goal, expected", [
    ("全年完成诉讼文书集约送达不少于22000件，文书在收到后3个工作日内完成首次送达。",         # P16
     [("诉讼文书集约送达数量", "≥22000.00(件)"), ("文书在收到后首次送达时间", "≤3.00(工作日)")]),
    ("为辖区60所中小学配备专职保安员不少于240名",                                          # P06
     [("中小学数量", "≥60.00(所)"), ("配备专职保安员人数", "≥240.00(名)")]),
    ("每周提供课后服务5天，每天不少于2小时",                                                # P13
     [("每周课后服务时长", "=5.00(天)"), ("每天课后服务时长", "≥2.00(小时)")]),
    ("全区90个村（居）公共法律服务工作站全覆盖",                                            # P14
     [("村（居）公共法律服务工作站数量", "≥90.00(个)")]),
    ("为全区32个预防接种门诊更新医用冷藏冰箱64台、温度监测终端32套",                       # P07
     [("预防接种门诊数量", "≥32.00(个)"), ("更新医用冷藏冰箱数量", "≥64.00(台)"), ("温度监测终端数量", "≥32.00(套)")]),
    ("全区42所义务教育学校课后服务覆盖率100%",                                              # P13
     [("义务教育学校数量", "≥42.00(所)"), ("课后服务覆盖率", "=100.00(%)")]),
    ("对辖区55家重点排污单位在线监测设备开展运维", [("重点排污单位家数", "≥55.00(家)")]),     # P18
    ("覆盖42所学校", [("覆盖学校数量", "≥42.00(所)")]),
    ("全年为不少于4000名就业困难人员发放灵活就业社保补贴", [("就业困难人员人数", "≥4000.00(名)")]),  # P17
])
def test_names(goal, expected):
    assert read(goal) == expected


def test_no_comparison_word_leaks_into_a_name():
    goals = ["为辖区60所中小学配备专职保安员不少于240名", "为12个街道配备专职调解员不低于36名，培训不少于10场",
             "对80家企业开展检查不少于160家次", "为全县15所幼儿园更新教学设备不超过300台"]
    for goal in goals:
        for q in goal_quantities(goal):
            assert not any(w in q.name for w in ("不少", "不低", "不超", "少于", "低于", "超过")), q.name


# -- 5. other project types, read by hand -------------------------------------------------
@pytest.mark.parametrize("goal, expected", [
    ("全年开展食品快检不少于6000批次，快检结果公示率100%。", ["≥6000.00(批次)", "=100.00(%)"]),
    ("完成老旧小区改造12个，惠及居民不少于3000户，改造面积约8万平方米。",
     ["≥12.00(个)", "≥3000.00(户)", "=8.00(万平方米)"]),
    ("全年组织应急演练4次，参演人员不少于800人次，演练方案编制率100%。", ["≥4.00(次)", "≥800.00(人次)", "=100.00(%)"]),
    ("全年开展无人机巡查不少于300架次，发现违法用地问题24小时内上报。", ["≥300.00(架次)", "≤24.00(小时)"]),
    ("新打抗旱机井20眼，新增有效灌溉面积不少于1.5万亩。", ["≥20.00(眼)", "≥1.50(万亩)"]),
    ("全年整理档案不少于3000卷、数字化扫描不少于50万页。", ["≥3000.00(卷)", "≥50.00(万页)"]),
    ("对全市120家养老机构开展消防安全检查，检查覆盖率100%，重大火灾事故为0起。",
     ["≥120.00(家)", "=100.00(%)", "=0.00(起)"]),
    ("全年发放临时救助金不超过300万元，救助对象不少于1500人次，救助资金在10个工作日内发放到位。",
     ["≤300.00(万元)", "≥1500.00(人次)", "≤10.00(工作日)"]),
    ("全年安装智能水表不少于2万户，抄表准确率不低于99%。", ["≥2.00(万户)", "≥99.00(%)"]),
    ("全年举办文化惠民演出不少于60场，观众不少于3万人次，群众满意度不低于90%。", ["≥60.00(场)", "≥3.00(万人次)", "≥90.00(%)"]),
    ("全年处理信访件不少于600件次，按期办结率不低于95%。", ["≥600.00(件次)", "≥95.00(%)"]),
    ("全年完成林业有害生物防治不少于2.3万亩，成灾率控制在3‰以下。", ["≥2.30(万亩)", "≤3.00(‰)"]),
])
def test_goals_of_other_project_types(goal, expected):
    assert values(goal) == expected


# -- a rhythm the goal sets (P04 "补贴资金按月发放到位") -------------------------------------
@pytest.mark.parametrize("goal, expected", [
    ("全年助餐不少于43万人次，补贴资金按月发放到位。", [("按月发放", "每月", "补贴资金发放周期")]),
    ("按合同约定按季度支付租金，保障全年正常办公。", [("按季度支付", "每季度", "租金支付周期")]),
    ("聘用人员工资按月发放，社会保险按月缴纳", [("按月发放", "每月", "聘用人员工资发放周期")]),
    ("每季度开展比对监测1次", []),  # a quantity's period, not a rhythm of its own
    ("每月安排专家鉴定36人次", []),
])
def test_rhythms(goal, expected):
    from jixiao.bot.domain.goal import goal_periodics

    assert [(p.text, p.value.text, p.name) for p in goal_periodics(goal)] == expected


def test_a_bracket_inside_a_noun_is_kept_whole():
    assert read("为全区180个村（社区）配备法律顾问") == [("村（社区）数量", "≥180.00(个)")]


def test_a_per_item_time_is_still_a_time_limit():
    assert read("每件纠纷在30个工作日内调结") == [("每件纠纷调结时间", "≤30.00(工作日)")]


@pytest.mark.parametrize("goal", ["每日17点前报送数据", "开展3集中宣传", "更新5口径监测设备", "年满18周岁的人员",
                                  "为65岁以上老人免费体检"])
def test_one_character_units_that_start_a_word_and_ages_are_not_quantities(goal):
    assert goal_quantities(goal) == ()


@pytest.mark.parametrize("goal", ["冷链温度实时监测覆盖率达到100%。", "案件办结率达100%。"])
def test_a_hundred_percent_reached_is_exactly_a_hundred(goal):
    (q,) = [q for q in goal_quantities(goal) if q.value.unit == "%"]
    assert (q.value.op, q.value.number) == ("=", 100)


def test_a_day_of_every_month_is_a_deadline_not_a_duration():
    # 崇明 低保 (a tester's profile): 每月10日前 was read as 每月…时长 =10日
    goal = "按月向不少于4200名城乡低保对象发放最低生活保障金，低保金于每月10日前发放到位。"
    assert [(q.value.number, q.value.unit) for q in goal_quantities(goal)] == [(4200, "名")]
    (q,) = goal_quantities("补贴申请在15个工作日内审核完毕。")  # a duration stays one
    assert (q.value.op, q.value.number, q.value.unit) == ("≤", 15, "工作日")


def test_livestock_counted_in_head_and_birds_keeps_its_unit():
    # a third tester's 动物强制免疫: 85万头只 was split into 只数量 ≥85.00(万头)
    (count, _) = goal_quantities("全年完成畜禽强制免疫不少于85万头只，免疫密度达到95%。")
    assert (count.name, format_value(count.value, "bracketed")) == ("畜禽强制免疫数量", "≥85.00(万头只)")
