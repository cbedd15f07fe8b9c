"""The supervisor's and the ethics reviewer's pages in a real browser against ``bentoml serve``."""

from __future__ import annotations

import os
import re
import shutil

import pytest
from playwright.sync_api import Page, expect

from serving.audit_log import iter_entries, verify_chain
from serving.runtime import open_store

from .conftest import NOTES, README_SCREENSHOT, case_body

pytestmark = [pytest.mark.ui, pytest.mark.slow, pytest.mark.e2e]

TIMEOUT_MS = 120_000  # the first case page loads the spaCy pipeline on a shared 2-core box

ACCESSIBILITY_PROBLEMS = """() => {
  const problems = [];
  const fields = document.querySelectorAll(
    "input:not([type=hidden]):not([type=submit]), select, textarea");
  for (const field of fields) {
    const labelled = (field.id && document.querySelector(`label[for="${field.id}"]`))
      || field.closest("label") || field.getAttribute("aria-label");
    if (!labelled) problems.push(`unlabelled ${field.tagName} ${field.name}`);
  }
  for (const img of document.querySelectorAll("img")) {
    if (!img.hasAttribute("alt")) problems.push(`img without alt: ${img.src.slice(0, 40)}`);
  }
  for (const frame of document.querySelectorAll("iframe")) {
    if (!frame.title) problems.push("iframe without title");
  }
  if (!document.documentElement.lang) problems.push("no lang on html");
  return problems;
}"""


def check_accessibility(page: Page) -> None:
    assert page.evaluate(ACCESSIBILITY_PROBLEMS) == []


def snap(page: Page, screenshot_dir, name: str) -> None:
    page.screenshot(path=str(screenshot_dir / f"{name}.png"), full_page=True)


def sign_in(page: Page, url: str, key: str) -> None:
    page.set_default_timeout(TIMEOUT_MS)
    page.goto(f"{url}/ui/sign-in")
    page.get_by_label("API key").fill(key)
    page.get_by_role("button", name="Sign in").click()


def audit_actions(database_url: str) -> list[tuple[str, str, str | None]]:
    store = open_store(database_url=database_url)
    try:
        with store.sessions() as session:
            assert verify_chain(session).ok
            return [(e.action, e.actor_key_id, e.score_id) for e in iter_entries(session)]
    finally:
        store.close()


def key_id(key: str) -> str:
    return key.split("_")[1]


def test_sign_in_is_required_and_keys_are_checked(ui_server, page: Page, screenshot_dir):
    page.set_default_timeout(TIMEOUT_MS)
    page.goto(f"{ui_server.url}/ui/queue")
    expect(page).to_have_url(re.compile(r"/ui/sign-in\?next=/ui/queue$"))
    check_accessibility(page)
    snap(page, screenshot_dir, "sign_in")
    page.get_by_label("API key").fill("ct_000000000000_" + "x" * 43)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("alert")).to_have_text("API key: unknown or revoked key.")
    page.get_by_label("API key").fill(ui_server.keys["case_system"])
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("alert")).to_contain_text("has no web pages")
    assert not [c for c in page.context.cookies() if c["name"] == "ct_session"]


def test_supervisor_works_three_cases(ui_server, page: Page, screenshot_dir):
    url, ids = ui_server.url, ui_server.score_ids
    sign_in(page, url, ui_server.keys["supervisor"])
    expect(page).to_have_url(f"{url}/ui/queue")
    session = next(c for c in page.context.cookies() if c["name"] == "ct_session")
    assert (session["httpOnly"], session["sameSite"], session["secure"]) == (True, "Strict", False)
    assert ui_server.keys["supervisor"] not in session["value"]

    rows = page.locator("table.queue tbody tr")
    expect(rows).to_have_count(3)
    queued = [rows.nth(i).get_attribute("data-score-id") for i in range(3)]
    assert set(queued) == set(ids.values())
    assert queued[0] == ids["ui-violence"]  # the safety need puts it in tier 1, first
    expect(page.get_by_text("is a suggestion", exact=False).first).to_be_visible()
    check_accessibility(page)
    snap(page, screenshot_dir, "review_queue")

    # Case 1 (the first in the queue), confirmed from the keyboard.
    rows.first.get_by_role("link").click()
    expect(page).to_have_url(f"{url}/ui/cases/{ids['ui-violence']}")
    expect(page.locator(".notice")).to_contain_text("This score is a suggestion, not a decision")
    expect(page.locator(".sentence")).to_contain_text("interpersonal violence for the client")
    violence = page.locator("mark.mention[data-need=interpersonal_violence]")
    expect(violence).to_have_count(1)
    assert "inactive" not in (violence.get_attribute("class") or "")
    negated = page.locator("mark.mention[data-need=substance_use]")
    if negated.count():
        expect(negated.first).to_have_class(re.compile(r"\binactive\b"))
        assert negated.first.evaluate("e => getComputedStyle(e).textDecorationLine") == (
            "line-through"
        )
    check_accessibility(page)
    confirm = page.locator("#confirm-button")
    for _ in range(40):  # Tab through the page until the confirm button has the focus
        page.keyboard.press("Tab")
        if confirm.evaluate("e => e === document.activeElement"):
            break
    else:
        pytest.fail("the confirm button cannot be reached with the keyboard")
    outline = confirm.evaluate(
        "e => { const s = getComputedStyle(e); return [s.outlineStyle, s.outlineWidth]; }"
    )
    assert outline[0] != "none", outline
    assert float(outline[1].removesuffix("px")) >= 2, outline
    page.keyboard.press("Enter")

    # The next case opens by itself, with a note of what was saved.
    expect(page.get_by_role("status")).to_contain_text("you confirmed case ui-violence")
    second = page.url.split("/ui/cases/")[1].split("?")[0]
    assert second == queued[1]
    snap(page, screenshot_dir, "review_case")
    if os.environ.get("CASETRIAGE_UPDATE_SCREENSHOTS") == "1":
        README_SCREENSHOT.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(screenshot_dir / "review_case.png", README_SCREENSHOT)

    # Case 2: an override without a reason is refused, and nothing is written.
    before = audit_actions(ui_server.database_url)
    page.get_by_label("Tier").select_option("1")
    page.get_by_role("button", name="Override").click()
    alert = page.get_by_role("alert")
    expect(alert).to_contain_text("reason: an override needs a reason; nothing was saved")
    expect(alert).to_be_focused()
    assert audit_actions(ui_server.database_url) == before
    with ui_server.api("supervisor") as api:
        refused = api.get(f"/v1/scores/{second}").json()
    assert (refused["status"], refused["decisions"]) == ("pending_review", [])

    # ... then made with a reason.
    page.get_by_label("Reason (required for an override)").fill("caller reported a threat")
    page.get_by_role("button", name="Override").click()
    expect(page.get_by_role("status")).to_contain_text("you overrode case")
    third = page.url.split("/ui/cases/")[1].split("?")[0]
    assert third == queued[2]

    # Case 3: an override of the tier alone to the same tier is refused (nothing changes).
    page.get_by_label("Reason (required for an override)").fill("looks right to me")
    page.get_by_role("button", name="Override").click()
    expect(page.get_by_role("alert")).to_contain_text("must change the tier, the worker or both")

    page.goto(f"{url}/ui/queue")
    expect(page.locator("table.queue tbody tr")).to_have_count(1)
    assert page.locator("table.queue tbody tr").get_attribute("data-score-id") == third

    with ui_server.api("case_system") as api:
        confirmed = api.get(f"/v1/scores/{queued[0]}").json()
        overridden = api.get(f"/v1/scores/{second}").json()
        pending = api.get(f"/v1/scores/{third}").json()
    assert confirmed["status"] == "confirmed"
    assert confirmed["decisions"][0]["action"] == "confirm"
    assert confirmed["decisions"][0]["tier"] == confirmed["result"]["tier"]["tier"]
    assert overridden["status"] == "overridden"
    assert overridden["decisions"][0]["tier"] == 1
    assert overridden["decisions"][0]["reason"] == "caller reported a threat"
    assert (pending["status"], pending["decisions"]) == ("pending_review", [])
    supervisor = key_id(ui_server.keys["supervisor"])
    decisions = [a for a in audit_actions(ui_server.database_url) if a[0] == "decision"]
    assert decisions == [("decision", supervisor, queued[0]), ("decision", supervisor, second)]
    log = ui_server.log.read_text(errors="replace")
    assert "eviction notice" not in log
    assert "caller reported a threat" not in log
    assert ui_server.keys["supervisor"] not in log


def test_forms_need_the_session_csrf_token(ui_server, page: Page):
    sign_in(page, ui_server.url, ui_server.keys["supervisor"])
    before = audit_actions(ui_server.database_url)
    target = f"{ui_server.url}/ui/cases/{ui_server.score_ids['ui-childcare']}/decision"
    forged = page.request.post(target, form={"action": "confirm", "csrf_token": "guessed"})
    assert forged.status == 403
    assert "did not come from your current session" in forged.text()
    missing = page.request.post(target, form={"action": "confirm"})
    assert missing.status == 403
    assert audit_actions(ui_server.database_url) == before


def test_wrong_role_gets_the_forbidden_page_and_sign_out_ends_the_session(
    ui_server, page: Page, screenshot_dir
):
    sign_in(page, ui_server.url, ui_server.keys["supervisor"])
    response = page.goto(f"{ui_server.url}/ui/releases")
    assert response.status == 403
    expect(page.get_by_role("heading", level=1)).to_have_text("Not allowed")
    expect(page.get_by_role("alert")).to_contain_text("you are signed in as supervisor")
    snap(page, screenshot_dir, "forbidden")
    page.get_by_role("button", name="Sign out").click()
    expect(page).to_have_url(f"{ui_server.url}/ui/sign-in")
    assert not [c for c in page.context.cookies() if c["name"] == "ct_session"]
    page.goto(f"{ui_server.url}/ui/queue")
    expect(page).to_have_url(re.compile(r"/ui/sign-in"))


def test_ethics_reviewer_reads_reports_and_signs_off(ui_server, page: Page, screenshot_dir):
    url, version = ui_server.url, ui_server.review_version
    sign_in(page, url, ui_server.keys["ethics_reviewer"])
    expect(page).to_have_url(f"{url}/ui/releases")
    release = page.locator(f"section.release[data-version='{version}']")
    expect(release.locator(".verdict")).to_have_text("review")
    check_accessibility(page)
    snap(page, screenshot_dir, "releases")

    report = page.request.get(f"{url}/ui/releases/{version}/report")
    assert report.status == 200
    assert "frame-ancestors 'self'" in report.headers["content-security-policy"]
    assert 'src="data:image/png;base64,' in report.text()
    card = page.request.get(f"{url}/ui/releases/{version}/model-card")
    assert card.status == 200
    assert "<html" in card.text().lower()
    page.goto(f"{url}/ui/releases/{version}/report")
    check_accessibility(page)
    snap(page, screenshot_dir, "release_report")
    page.goto(f"{url}/ui/releases")

    release.get_by_label("Reason (required, at least 10 characters)").fill("too short")
    release.get_by_role("button", name=f"Sign off version {version}").click()
    expect(page.get_by_role("alert")).to_contain_text("reason: give the reason in words")
    release = page.locator(f"section.release[data-version='{version}']")
    release.get_by_label("Reason (required, at least 10 characters)").fill(
        "Intervals reach parity; synthetic data only, reviewed for the UI test."
    )
    release.get_by_label("Your name (recorded with the decision)").fill("R. Reviewer")
    release.get_by_role("button", name=f"Sign off version {version}").click()
    expect(page.get_by_role("status")).to_contain_text(f"decision on release {version}")
    expect(release.locator(".reviewed")).to_contain_text("signed off by R. Reviewer")
    expect(release.locator(".alias")).to_have_text("champion")
    expect(release.locator("form.signoff")).to_have_count(0)

    with ui_server.api("ethics_reviewer") as api:
        listed = {r["version"]: r for r in api.get("/v1/releases").json()}
    assert listed[version]["signoff"]["signoff_reviewer"] == "R. Reviewer"
    assert "champion" in listed[version]["aliases"]
    signed = [a for a in audit_actions(ui_server.database_url) if a[0] == "release.signed_off"]
    assert [actor for _, actor, _ in signed] == [key_id(ui_server.keys["ethics_reviewer"])]


def test_ethics_reviewer_sees_the_audit_of_decisions(ui_server, page: Page, screenshot_dir):
    with ui_server.api("case_system") as system, ui_server.api("supervisor") as supervisor:
        for i, group in enumerate(["group_a", "group_b"] * 3):
            body = case_body(f"ui-audit-{i}", NOTES["ui-childcare"], race_ethnicity=group)
            score_id = system.post("/v1/score", json=body).json()["score_id"]
            decision = (
                {"action": "override", "tier": 1, "reason": "known family, urgent"}
                if group == "group_b"
                else {"action": "confirm"}
            )
            assert supervisor.post(f"/v1/scores/{score_id}/decision", json=decision).is_success
    sign_in(page, ui_server.url, ui_server.keys["ethics_reviewer"])
    page.goto(f"{ui_server.url}/ui/decisions")
    expect(page.get_by_role("heading", level=1)).to_have_text("Audit of supervisors' decisions")
    table = page.get_by_role("table", name="Override rate by race ethnicity")
    expect(table.locator("tbody tr")).to_have_count(2)
    group_b = table.locator("tbody tr", has_text="group_b")
    expect(group_b.locator("td").nth(2)).to_have_text("100%")
    frame = page.frame_locator("iframe.report")
    expect(frame.locator("img").first).to_have_attribute("alt", re.compile("Override"))
    check_accessibility(page)
    snap(page, screenshot_dir, "decisions_audit")
    response = page.goto(f"{ui_server.url}/ui/queue")
    assert response.status == 403


def test_a_possible_safety_need_is_marked_and_explained_on_the_case_page(ui_server, page: Page):
    """Self-harm described without the keyword sends the case to tier 1 as 'possible';
    the supervisor sees what found it and is told to read the note."""
    note = "Texter 15F, says she has been cutting her wrists again most nights."
    with ui_server.api("case_system") as api:
        response = api.post("/v1/score", json=case_body("ui-possible", note))
    assert response.status_code == 201, response.text
    scored = response.json()
    (need,) = [n for n in scored["needs"] if n["need"] == "suicide_risk"]
    assert (need["status"], need["experiencer"], need["confidence"]) == (
        "present",
        "client",
        "possible",
    )
    assert scored["tier"]["tier"] == 1
    assert scored["tier"]["possible_safety_needs"] == ["suicide_risk"]
    sign_in(page, ui_server.url, ui_server.keys["supervisor"])
    page.goto(f"{ui_server.url}/ui/cases/{scored['score_id']}")
    row = page.locator("table.needs tr[data-need=suicide_risk]")
    expect(row).to_have_count(1)
    expect(row).to_have_attribute("data-confidence", "possible")
    expect(row).to_contain_text("possible")
    expect(row).to_contain_text(need["basis"])
    expect(page.locator(".sentence")).to_contain_text("unsure of")
    check_accessibility(page)
