"""The metadata contract, as pure functions: what each key means, what is a problem, and who owns it."""

from __future__ import annotations

import pytest

from plugins.product_sync.config import plan_tiers
from plugins.product_sync.metadata import CreditTerms, price_terms, product_terms
from tenants.registry import Tenant, TenantCore

TIERS = frozenset({"basic", "pro"})


def test_the_seed_products_parse_to_credit_terms() -> None:
    payg, problems = product_terms(
        "prod_1",
        {"credit_amount": "100", "credit_type": "payg", "feature_flags": "ai_generation, image_processing"},
        None,
    )
    assert problems == []
    assert payg == CreditTerms(100, "payg", None, ("ai_generation", "image_processing"))
    pro, problems = product_terms(
        "prod_2", {"credit_amount": "1000", "credit_type": "subscription", "plan_tier": "pro"}, TIERS
    )
    assert problems == []
    assert pro == CreditTerms(1000, "subscription", "pro", ())


@pytest.mark.parametrize("raw", ["abc", "10.5", "-5", "0", "1e3", "1_000", "", " ", str(10**13)])
def test_a_credit_amount_that_is_not_a_positive_integer_is_a_problem(raw: str) -> None:
    terms, problems = product_terms("prod_1", {"credit_amount": raw, "credit_type": "payg"}, None)
    assert terms.credit_amount is None
    assert terms.credit_type == "payg"
    assert [(p.product, p.price, p.key, p.value) for p in problems] == [("prod_1", None, "credit_amount", raw)]


def test_unknown_credit_type_and_tier_are_problems_and_read_as_absent() -> None:
    terms, problems = product_terms(
        "prod_1", {"credit_amount": " 50 ", "credit_type": "weekly", "plan_tier": "platinum"}, TIERS
    )
    assert terms == CreditTerms(50, None, None, ())
    assert {p.key: p.message for p in problems} == {
        "credit_type": "credit_type must be 'payg' or 'subscription'",
        "plan_tier": "unknown tier 'platinum' (tiers: basic, pro)",
    }


def test_without_configured_tiers_any_named_tier_is_accepted() -> None:
    terms, problems = product_terms("prod_1", {"plan_tier": "platinum"}, None)
    assert (terms.plan_tier, problems) == ("platinum", [])
    _, problems = product_terms("prod_1", {"plan_tier": "  "}, None)
    assert [p.message for p in problems] == ["plan_tier must name a tier"]


def test_bad_feature_flags_are_dropped_and_reported_the_rest_kept() -> None:
    terms, problems = product_terms("prod_1", {"feature_flags": "a,,b, a ,bad flag,c!"}, None)
    assert terms.feature_flags == ("a", "b")
    assert len(problems) == 1
    assert "'bad flag'" in problems[0].message
    assert "'c!'" in problems[0].message


def test_price_metadata_overrides_the_product_key_by_key() -> None:
    product = {"credit_amount": "1000", "credit_type": "subscription", "plan_tier": "pro", "feature_flags": "x"}
    terms, problems = price_terms(
        product="prod_1",
        product_metadata=product,
        price="price_1",
        price_metadata={"credit_amount": "12000"},
        price_type="recurring",
        tiers=TIERS,
    )
    assert problems == []
    assert terms == CreditTerms(12000, "subscription", "pro", ("x",))


def test_a_bad_price_override_is_the_price_s_problem_not_the_product_s() -> None:
    terms, problems = price_terms(
        product="prod_1",
        product_metadata={"credit_amount": "100", "credit_type": "payg"},
        price="price_1",
        price_metadata={"credit_amount": "lots"},
        price_type="one_time",
        tiers=None,
    )
    assert terms.credit_amount is None, "an invalid override does not fall back to the product's value"
    assert [(p.product, p.price, p.key) for p in problems] == [("prod_1", "price_1", "credit_amount")]


def test_credit_type_is_inferred_from_the_price_and_a_mismatch_is_reported() -> None:
    inferred, problems = price_terms(
        product="prod_1",
        product_metadata={"credit_amount": "100"},
        price="price_1",
        price_metadata={},
        price_type="recurring",
        tiers=None,
    )
    assert (inferred.credit_type, problems) == ("subscription", [])
    mismatch, problems = price_terms(
        product="prod_1",
        product_metadata={"credit_amount": "100", "credit_type": "payg"},
        price="price_2",
        price_metadata={},
        price_type="recurring",
        tiers=None,
    )
    assert mismatch.credit_type == "payg"
    assert [(p.price, p.key, p.value) for p in problems] == [("price_2", "credit_type", "payg")]


async def test_plan_tiers_are_what_the_plugins_selling_plans_answer() -> None:
    """product_sync reads no other plugin's settings: it asks `tollgate_plan_tiers` through the kernel."""

    class Kernel:
        def __init__(self, answers: list[tuple[str, list[str]]]) -> None:
            self.answers = answers

        async def ask(self, hook: str, tenant: Tenant) -> list[tuple[str, list[str]]]:
            assert hook == "tollgate_plan_tiers"
            return self.answers

    tenant = Tenant(slug="t", core=TenantCore(name="T"), plugin_blocks={})
    assert await plan_tiers(Kernel([]), tenant) is None  # type: ignore[arg-type]
    assert await plan_tiers(Kernel([("subscriptions", ["free", "pro"])]), tenant) == {"free", "pro"}  # type: ignore[arg-type]


def test_an_invalid_credit_type_is_not_replaced_by_a_guess() -> None:
    terms, problems = price_terms(
        product="prod_1",
        product_metadata={"credit_amount": "10", "credit_type": "weekly"},
        price="price_1",
        price_metadata={},
        price_type="one_time",
        tiers=None,
    )
    assert (terms.credit_amount, terms.credit_type) == (10, None)
    assert problems == [], "the bad value is the product's problem, reported once"
