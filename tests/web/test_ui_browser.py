"""The query page in a real headless Chromium over the project's release: every competency question is a tab with
its own title and query, examples run, share links open the shared query, a cut result says so with the OFFSET to
go on, and completions come from this server; the network log shows no request to any other host."""

from pathlib import Path
from urllib.parse import quote

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as ec
from selenium.webdriver.support.ui import WebDriverWait

from tests.web.conftest import PAGE_ROW_LIMIT, outside, requested_urls


def open_query_page(browser, url: str) -> WebDriverWait:  # type: ignore[no-untyped-def]
    requested_urls(browser)  # empty the log
    browser.get(url)
    wait = WebDriverWait(browser, 20)
    wait.until(ec.presence_of_element_located((By.CSS_SELECTOR, ".yasqe .CodeMirror")))
    return wait


@pytest.fixture(autouse=True)
def no_outbound_request(browser):  # type: ignore[no-untyped-def]
    yield
    urls = requested_urls(browser)
    assert outside(urls) == [], f"the page sent requests to other hosts: {outside(urls)}"
    errors = [e["message"] for e in browser.get_log("browser") if e["level"] == "SEVERE"]
    assert errors == [], errors


def test_every_question_is_a_tab_with_its_own_title_and_query(browser, pages_server, built_release: Path) -> None:  # type: ignore[no-untyped-def]
    open_query_page(browser, pages_server + "/sparql")
    tabs = browser.execute_script(
        "const y = window.msckgYasgui; return y.persistentConfig.getTabs().map(id => {"
        "  y.selectTabId(id); const t = y.getTab(); return [t.getName(), t.getQuery()]; })"
    )
    questions = sorted((built_release / "queries").glob("*.rq"))
    assert [name for name, _ in tabs] == [p.stem for p in questions]
    assert [query for _, query in tabs] == [p.read_text(encoding="utf-8") for p in questions]
    titles = [e.get_attribute("textContent") for e in browser.find_elements(By.CSS_SELECTOR, "#questions li a")]
    assert len(titles) == len(questions) and titles[3].startswith("What is the clinical evidence")


def run_tab(browser, wait: WebDriverWait, index: int) -> str:  # type: ignore[no-untyped-def]
    browser.execute_script(
        f"const y = window.msckgYasgui; y.selectTabId(y.persistentConfig.getTabs()[{index}]);"
        "y.getTab().getYasqe().query();"
    )
    wait.until(lambda b: b.execute_script("return window.msckgYasgui.getTab().getYasr().results !== undefined"))
    wait.until(ec.presence_of_element_located((By.CSS_SELECTOR, ".tabPanel.active .yasr table.dataTable tbody tr")))
    return browser.find_element(By.CSS_SELECTOR, ".tabPanel.active .yasr").text


def test_two_examples_run_with_their_own_answers(browser, pages_server) -> None:  # type: ignore[no-untyped-def]
    wait = open_query_page(browser, pages_server + "/sparql")
    anti_inflammatory = run_tab(browser, wait, 0)
    assert "msce:" in anti_inflammatory or "entity/" in anti_inflammatory
    clinical = run_tab(browser, wait, 3)
    assert "73.2" in clinical and "55.6" in clinical
    assert clinical != anti_inflammatory


def test_share_link_opens_the_shared_query(browser, pages_server, built_release: Path) -> None:  # type: ignore[no-untyped-def]
    shared = "SELECT ?label WHERE { <https://w3id.org/msc-liver/entity/bm-msc> rdfs:label ?label }"
    open_query_page(browser, f"{pages_server}/sparql#query={quote(shared)}&tabTitle=mine")
    name, query = browser.execute_script("const t = window.msckgYasgui.getTab(); return [t.getName(), t.getQuery()]")
    assert (name, query) == ("mine", shared)
    questions = len(list((built_release / "queries").glob("*.rq")))
    assert browser.execute_script("return window.msckgYasgui.persistentConfig.getTabs().length") == questions + 1
    browser.get("about:blank")  # a fresh page for each link below
    # the page's own share button makes a link that opens the same query
    open_query_page(browser, pages_server + "/sparql")
    browser.execute_script("window.msckgYasgui.getTab().setQuery('ASK { ?s ?p ?o }')")
    link = browser.execute_script("return window.msckgYasgui.getTab().getShareableLink()")
    browser.get("about:blank")
    open_query_page(browser, link)
    assert browser.execute_script("return window.msckgYasgui.getTab().getQuery()") == "ASK { ?s ?p ?o }"
    # pasted into the open page (only the fragment changes): the shared query opens in a tab of its own
    browser.execute_script(f"window.location.hash = 'query=' + encodeURIComponent({shared!r}) + '&tabTitle=again'")
    WebDriverWait(browser, 10).until(
        lambda b: b.execute_script("return window.msckgYasgui.getTab().getName()") == "again"
    )
    assert browser.execute_script("return window.msckgYasgui.getTab().getQuery()") == shared


def test_a_cut_result_says_so_with_the_offset_to_continue(browser, pages_server) -> None:  # type: ignore[no-untyped-def]
    wait = open_query_page(browser, pages_server + "/sparql")
    notice = browser.find_element(By.ID, "truncated")
    assert not notice.is_displayed()
    browser.execute_script(
        "const t = window.msckgYasgui.getTab();"
        "t.setQuery('SELECT ?s ?p ?o WHERE { ?s ?p ?o } ORDER BY ?s ?p ?o'); t.getYasqe().query();"
    )
    wait.until(ec.visibility_of(notice))
    assert f"limit of {PAGE_ROW_LIMIT} rows" in notice.text and f"OFFSET {PAGE_ROW_LIMIT}" in notice.text
    notice.find_element(By.TAG_NAME, "button").click()
    wait.until(lambda b: f"OFFSET {2 * PAGE_ROW_LIMIT}" in notice.text)
    assert f"OFFSET {PAGE_ROW_LIMIT}" in browser.execute_script("return window.msckgYasgui.getTab().getQuery()")
    browser.execute_script(
        "const t = window.msckgYasgui.getTab(); t.setQuery('ASK { ?s ?p ?o }'); t.getYasqe().query();"
    )
    wait.until(lambda b: not notice.is_displayed())


def test_completions_come_from_this_server(browser, pages_server) -> None:  # type: ignore[no-untyped-def]
    wait = open_query_page(browser, pages_server + "/sparql")
    requested_urls(browser)
    browser.execute_script(
        "const y = window.msckgYasgui.getTab().getYasqe();"
        "y.setValue('PREFIX msc: <https://w3id.org/msc-liver/ontology/>\\nSELECT * WHERE { ?s a msc:HepaticSt');"
        "y.focus(); y.getDoc().setCursor(y.getDoc().lastLine(), 1000); y.autocomplete();"
    )
    wait.until(ec.presence_of_element_located((By.CSS_SELECTOR, ".CodeMirror-hints li")))
    hints = [e.text for e in browser.find_elements(By.CSS_SELECTOR, ".CodeMirror-hints li")]
    assert "msc:HepaticStellateCell" in hints
    asked = requested_urls(browser)
    assert any("/search/complete?kind=class" in u for u in asked), asked
