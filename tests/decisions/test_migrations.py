"""The move to hours as entered keeps every stored figure meaning what it meant: an old
per-month figure becomes that amount per month, exactly, and an old "no value" (0) for a freed
staff hour becomes empty."""

from decimal import Decimal as D

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from tests.decisions.conftest import reload_dated_figures

BEFORE = [("decisions", "0004_shortlist")]
AFTER = [("decisions", "0005_hours_as_entered")]


def _migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


@pytest.mark.django_db(transaction=True)
def test_old_monthly_hours_become_the_same_amount_per_month():
    old = _migrate(BEFORE)
    try:
        org = old.get_model("accounts", "Organization").objects.create(name="Acme", slug="acme")
        function = old.get_model("decisions", "BusinessFunction").objects.create(
            organization=org, name="Bookkeeping"
        )
        analysis = old.get_model("decisions", "Analysis").objects.create(
            organization=org, function=function, year=2026, volume_unit="invoice",
            monthly_volume=D(400),
        )  # fmt: skip
        option = old.get_model("decisions", "InHouseOption").objects.create(
            organization=org, analysis=analysis, federal_unemployment_percent=D("0.6"),
            manager_hours_per_month=D("8.67"), manager_hourly_rate=D(60),
            value_per_freed_hour=D(0),
        )  # fmt: skip
        quote = old.get_model("decisions", "Quote").objects.create(
            organization=org, analysis=analysis, name="Ledgerline", amount=D(1250),
            oversight_hours_per_month=D("2.5"),
        )  # fmt: skip
        kept = old.get_model("decisions", "InHouseOption").objects.create(
            organization=org,
            analysis=old.get_model("decisions", "Analysis").objects.create(
                organization=org, function=old.get_model("decisions", "BusinessFunction")
                .objects.create(organization=org, name="Billing"),
                year=2026, volume_unit="claim", monthly_volume=D(10),
            ),
            federal_unemployment_percent=D("0.6"), value_per_freed_hour=D(35),
        )  # fmt: skip

        new = _migrate(AFTER)
        option = new.get_model("decisions", "InHouseOption").objects.get(pk=option.pk)
        assert (option.manager_hours, option.manager_period) == (D("8.67"), "month")
        assert option.value_per_freed_hour is None  # 0 meant "no value given"
        quote = new.get_model("decisions", "Quote").objects.get(pk=quote.pk)
        assert (quote.oversight_hours, quote.oversight_period) == (D("2.50"), "month")
        kept = new.get_model("decisions", "InHouseOption").objects.get(pk=kept.pk)
        assert kept.value_per_freed_hour == D(35)
    finally:
        _migrate(_migrate_leaf())
        reload_dated_figures()


def _migrate_leaf():
    executor = MigrationExecutor(connection)
    return executor.loader.graph.leaf_nodes()
