"""A review as a thread: each submit, approval and return, with who, when and the comment given,
kept after the next decision replaces `comment`; who submitted and who decided last."""

from __future__ import annotations

from tests.support.cycle import Cycle

THREAD = """query ($id: ID!) { node(id: $id) { ... on LocalPlan {
    status comment submittedBy decidedBy reviewEvents { actor status statusLabel comment at } } } }"""


async def test_a_local_plans_review_is_a_thread_of_who_did_what(gql, gql_as, token):
    setup = Cycle(gql)
    municipality = await setup.municipality("9901", "Testkommune", "testprofil")
    plan = await setup.adopted_plan(municipality["id"])
    unit = await setup.unit(municipality["id"], "Lia skole", "SCHOOL", "974760673")
    area = (await setup.areas(plan["id"], "theme"))[0]
    leader = Cycle(gql_as(token("unit_leader", unit="974760673", subject="rektor.lia")))
    office = Cycle(gql_as(token("sector_admin", municipality="9901", subject="sektorkontoret")))
    for caller in (leader, office):
        caller.gql.headers["Accept-Language"] = "nn"

    local = await leader.local_plan(unit["id"], plan["id"])
    await leader.local_goal(local["id"], area["id"], "Meir lesing")
    assert (await leader.submit_local_plan(local["id"]))["errors"] == []
    await office.decide("returnLocalPlan", local["id"], "Manglar tiltak for lesinga.")
    assert (await leader.submit_local_plan(local["id"]))["errors"] == []
    await office.decide("approveLocalPlan", local["id"], "Fint.")

    read = (await office.gql(THREAD, {"id": local["id"]}))["node"]
    assert [(e["actor"], e["status"], e["statusLabel"], e["comment"]) for e in read["reviewEvents"]] == [
        ("user:rektor.lia", "SUBMITTED", "Sendt inn", None),
        ("user:sektorkontoret", "RETURNED", "Sendt tilbake", "Manglar tiltak for lesinga."),
        ("user:rektor.lia", "SUBMITTED", "Sendt inn", None),
        ("user:sektorkontoret", "APPROVED", "Godkjend", "Fint."),
    ]
    times = [e["at"] for e in read["reviewEvents"]]
    assert times == sorted(times)
    # `comment` holds the last decision's; the thread keeps the return's.
    assert (read["status"], read["comment"], read["submittedBy"], read["decidedBy"]) == (
        "APPROVED",
        "Fint.",
        "user:rektor.lia",
        "user:sektorkontoret",
    )
    # The unit leader reads the same thread; another municipality's office does not see the plan.
    assert (await leader.gql(THREAD, {"id": local["id"]}))["node"]["reviewEvents"] == read["reviewEvents"]
    await setup.municipality("5501", "Tromsø", "tromso")
    outsider = gql_as(token("sector_admin", municipality="5501", subject="tromso"))
    assert (await outsider(THREAD, {"id": local["id"]}))["node"] is None
