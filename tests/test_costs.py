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


def test_a_unit_cost_is_rounded_down_so_the_product_fits_the_budget():
    cost = cost_of(10000, "全年办理案件30件", ("件",))
    assert cost.value.number == Decimal("333.33") and cost.value.number * 30 <= 10000


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
