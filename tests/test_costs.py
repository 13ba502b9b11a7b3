"""Costs from the budget (bot/retrieval/costs.py): totals, unit costs and their arithmetic."""

from decimal import Decimal

from jixiao.bot.domain.goal import goal_quantities
from jixiao.bot.domain.values import format_value
from jixiao.bot.retrieval import costs


def cost_of(budget, goal, per):
    quantities = goal_quantities(goal)
    main = costs.main_quantity(per, quantities)
    return costs.unit_cost(budget, main, quantities)


def test_budget_divided_by_the_main_quantity():
    cost = cost_of(800000, "开展心理评估和个案辅导不少于200人次", ("人次", "人"))
    assert format_value(cost.value, "bracketed") == "≤4000.00(元)"
    assert cost.reason == "按预算 800,000 元 ÷ 200人次 = 4,000 元/人次"


def test_a_unit_cost_is_rounded_to_the_cent():
    assert cost_of(10000, "全年办理案件30件", ("件",)).value.number == Decimal("333.33")
    experts = cost_of(650000, "聘请第三方专家检查不少于120人次", ("人次",))
    assert experts.value.number == Decimal("5416.67") and "5,416.67 元/人次" in experts.reason  # not 5416.66


def test_per_session_and_per_month_counts_are_made_yearly():
    sessions = cost_of(12000, "计划举办3场，每场参加培训人数约110人。", ("人",))
    assert (sessions.value.number, "（3场 × 110人）" in sessions.reason) == (Decimal("36.36"), True)
    monthly = cost_of(432000, "计划每个月安排专家鉴定36人次", ("人次",))
    assert monthly.value.number == Decimal("1000.00") and "（36人次 × 12）" in monthly.reason


def test_large_unit_costs_print_in_wan_yuan():
    cost = cost_of(1693995, "聘用非编人员15人", ("人",))
    assert format_value(cost.value, "bracketed") == "≤11.29(万元)"


def test_the_main_quantity_follows_the_per_units_then_the_largest_count():
    quantities = goal_quantities("每季度巡检1次，全年维护不少于24次，故障不超过3次，服务200人次")
    assert costs.main_quantity(("次",), quantities).value.number == 24  # ≤3次 is a ceiling, not output
    assert costs.main_quantity(("人次", "次"), quantities).value.unit == "人次"
    assert costs.main_quantity(("平方米",), quantities) is None


def test_totals_and_scaled_totals_never_exceed_the_budget():
    total = costs.total_cost(300000)
    assert format_value(total.value, "bracketed") == "≤300000.00(元)" and "300,000" in total.reason
    scaled = costs.scaled_total(Decimal(192430), theirs=198415, ours=300000, source="2026 松江 运维")
    assert scaled.value.number == 290950 and scaled.value.number <= 300000
    assert "192,430" in scaled.reason and "198,415" in scaled.reason
    assert costs.yuan(cost_of(1693995, "聘用非编人员15人", ("人",)).value) == Decimal("112900")


def test_the_divisor_is_the_main_output_not_a_frequency():
    quantities = goal_quantities("对辖区55家重点排污单位开展运维，每季度开展比对监测1次，全年比对监测不少于220家。")
    assert costs.main_quantity(("次", "家"), quantities).value.number == 220  # not 每季度1次 (× 4)


def test_a_count_in_wan_is_divided_as_what_it_is():
    cost = cost_of(960000, "全年完成馆藏档案数字化扫描不少于120万页", ("页", "万页"))
    assert cost.value.number == Decimal("0.80") and cost.reason == "按预算 960,000 元 ÷ 1,200,000页 = 0.80 元/页"


def test_several_kinds_of_things_bought_are_named_and_get_a_total():
    quantities = goal_quantities("为全区32个预防接种门诊更新医用冷藏冰箱64台、温度监测终端32套。")
    per, keys = ("台", "套", "个"), ("冰箱", "终端", "设备")
    kinds = costs.several_kinds(per, quantities, keys)
    assert sorted(q.value.unit for q in kinds) == ["台", "套"]  # the 32个 clinics are where they go
    total = costs.total_cost(850000, kinds)
    assert costs.yuan(total.value) == 850000 and "64台" in total.reason and "32套" in total.reason
    assert costs.several_kinds(per, goal_quantities("购置医用冷藏冰箱64台。"), keys) == []


def test_a_cost_the_goal_states_per_item_is_multiplied_out():
    meals = goal_quantities("受益老人不少于1200人，每人每餐补贴不超过5元，全年助餐不少于43万人次。")
    total, arithmetic = costs.goal_product(next(q for q in meals if q.value.unit == "元"), meals)
    assert total == 2150000 and arithmetic == "5元 × 430,000人次 = 2,150,000元"
    monthly = goal_quantities("全年为不少于4000名就业困难人员发放补贴，每人每月补贴不超过200元。")
    total, arithmetic = costs.goal_product(next(q for q in monthly if q.value.unit == "元"), monthly)
    assert total == 9600000 and arithmetic == "200元 × 4,000名 × 12 = 9,600,000元"
    alone = goal_quantities("每人每月补贴不超过200元。")
    assert costs.goal_product(alone[0], alone) is None  # no count of persons: nothing to multiply


def test_a_monthly_amount_per_person_is_twelve_times_a_year():
    # 崇明 低保: 月人均保障标准不低于1510元 × 4200名 × 12 = 76,104,000 ≤ 76,500,000
    from jixiao.bot.domain.goal import goal_quantities
    from jixiao.bot.retrieval import costs

    qs = goal_quantities("按月向不少于4200名城乡低保对象发放最低生活保障金，月人均保障标准不低于1510元。")
    (money,) = [q for q in qs if q.value.unit == "元"]
    total, text = costs.goal_product(money, qs)
    assert total == 76_104_000 and text.endswith("× 12 = 76,104,000元")
