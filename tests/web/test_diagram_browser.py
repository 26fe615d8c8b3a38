"""Mechanism diagrams in a real headless Chromium: the SVG is there, has one box per node of the answer, and each
arrow links to its nanopublication's page, which answers (no request leaves 127.0.0.1)."""

import json
import urllib.parse

import requests
from selenium.webdriver.common.by import By


def setup_module() -> None:
    from server.web.diagram import available

    assert available(), "Graphviz's dot draws the diagrams: make graphviz (apt-get install graphviz)"


def _diagram(browser) -> tuple[int, list[str], int]:  # type: ignore[no-untyped-def]
    svg = browser.find_element(By.CSS_SELECTOR, "svg.diagram")
    nodes = len(svg.find_elements(By.CSS_SELECTOR, "g.node"))
    anchors = [edge.find_element(By.CSS_SELECTOR, "a") for edge in svg.find_elements(By.CSS_SELECTOR, "g.edge")]
    links = [a.get_attribute("href") or a.get_attribute("xlink:href") for a in anchors]  # one link per arrow
    return nodes, links, int(svg.get_attribute("data-nodes"))


def test_paths_page_diagram(browser, paths_server: str) -> None:  # type: ignore[no-untyped-def]
    query = urllib.parse.urlencode({"from": "agent cell", "to": "疾病评分"})
    answer = json.loads(requests.get(f"{paths_server}/api/paths?{query}", timeout=30).content)
    expected_nodes = {n for p in answer["paths"] for n in p["nodes"]}
    expected_claims = {(s["subject"], s["object"], s["nanopub"]) for p in answer["paths"] for s in p["steps"]}
    browser.get(f"{paths_server}/paths?{query}")
    nodes, links, declared = _diagram(browser)
    assert nodes == declared == len(expected_nodes) == 4  # agent, mediator, target, score
    assert len(links) == len(expected_claims)
    assert {urllib.parse.urlsplit(link).path for link in links} == {
        "/np/" + nanopub.rsplit("/", 1)[-1] for _, _, nanopub in expected_claims}  # fmt: skip
    for link in set(links):
        page = requests.get(urllib.parse.urljoin(paths_server, link), headers={"Accept": "text/html"}, timeout=30)
        assert page.status_code == 200 and "np:hasAssertion" in page.text, link
    dashed = browser.find_elements(By.CSS_SELECTOR, "svg.diagram g.edge.dashed")
    assert dashed  # the derived join (fx-03, human) and the curator-inferred step (fx-02)
    failed = [e["message"] for e in browser.get_log("browser") if "ERR_NAME_NOT_RESOLVED" in e["message"]]
    assert failed == []


def test_chain_page_diagram_and_a_click_to_the_nanopublication(browser, paths_server: str) -> None:  # type: ignore[no-untyped-def]
    browser.get(f"{paths_server}/chain/fx-chain")
    nodes, links, declared = _diagram(browser)
    assert nodes == declared == 3 and len(links) == 2
    titles = [t.get_attribute("textContent") for t in browser.find_elements(By.CSS_SELECTOR, "svg.diagram g.node text")]
    assert "agent cell" in titles and "药剂细胞" in titles  # English and Chinese in each box
    first = browser.find_element(By.CSS_SELECTOR, "svg.diagram g.edge a")
    target = first.get_attribute("href") or first.get_attribute("xlink:href")
    browser.execute_script("arguments[0].dispatchEvent(new MouseEvent('click', {bubbles: true}))", first)
    assert urllib.parse.urlsplit(browser.current_url).path == urllib.parse.urlsplit(target).path
    assert urllib.parse.urlsplit(target).path.startswith("/np/fx-0")
