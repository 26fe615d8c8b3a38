"""Every page type in a real headless Chromium over the project's release: each renders its parts, links only to
this server or to external resolvers (never to our w3id names, which do not resolve here), loads nothing from
another host, fits a screen-height budget when a node has hundreds of claims, and its search box suggests
entities for English and Chinese input."""

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support import expected_conditions as ec
from selenium.webdriver.support.ui import WebDriverWait

from server.web.rdfview import href
from tests.web.conftest import outside, requested_urls

#: A page with hundreds of claims must fit in this many pixels at 1280 × 900 (three screens) with its groups closed.
HEIGHT_BUDGET = 2700
#: Where links that leave this server may go: the canonical pages of external terms, DOIs, the licence, and the
#: namespaces of the W3C, DCMI and nanopublication vocabularies.
RESOLVERS = ("https://doi.org/", "http://purl.obolibrary.org/obo/", "https://identifiers.org/",
             "https://creativecommons.org/", "http://www.ebi.ac.uk/efo/", "https://www.genenames.org/",
             "https://www.mirbase.org/", "https://meshb.nlm.nih.gov/", "http://www.w3.org/", "http://purl.org/",
             "http://www.nanopub.org/nschema#", "http://www.geneontology.org/formats/oboInOwl#",
             "http://xmlns.com/foaf/0.1/")  # fmt: skip
REVIEW = "/references/10.16352/j.issn.1001-6325.2024.11.1608"

#: Each page type, with CSS selectors of the parts it must show.
PAGES = {
    "/": ["#about", "#entry-points a.tile", "#counts", "form[role=search] input"],
    "/entity/bm-msc": ["#card h1 .zh", "#card .types a", "#card .definition", "#card dl.facts", "#diagram",
                       "details.group summary", "ul.claims li .sign", "ul.claims li .facet.evidence"],
    "/entity/hepatic-stellate-cell": ["#card", "details.group[data-role=context]", "#incoming"],
    "/entity/lin2017-hbv-aclf-rct": ["#arms tr td dl.facts", "#card .types a"],
    "/np/s2-1-03": ["#assertion", ".claim-sentence .sign", "blockquote.quote[lang=zh]", "blockquote.translation",
                    "#reference + .card", "#provenance", "#pubinfo", "#head", "#chain a"],
    "/chain/cd47-hedgehog-nlrp3": ["#steps tr td a", "#diagram"],
    "/search?q=%E6%98%9F%E7%8A%B6%E7%BB%86%E8%83%9E": ["#hits .hit a"],
    "/references/": ["#references tr td a"],
    REVIEW: ["details.group", "#card"],
    "/download/": ["#downloads tr td a[download]"],
    "/.well-known/void": ["#dumps li a"],
    "/entity/": ["ul.columns li a"],
    "/agent/msckg-curation-team": ["#incoming"],
}  # fmt: skip


@pytest.mark.parametrize("path", list(PAGES))
def test_page_type_renders_its_parts_and_stays_local(browser, pages_server, path: str) -> None:  # type: ignore[no-untyped-def]
    requested_urls(browser)
    browser.get(pages_server + path)
    for selector in PAGES[path]:
        assert browser.find_elements(By.CSS_SELECTOR, selector), f"{path}: nothing matches {selector}"
    ours = browser.find_elements(By.CSS_SELECTOR, 'a[href^="https://w3id.org/"], a[href^="http://w3id.org/"]')
    assert ours == [], f"{path} links to names that do not resolve here"
    for link in browser.find_elements(By.CSS_SELECTOR, "a[href]"):
        href = link.get_attribute("href")
        assert href.startswith((pages_server, *RESOLVERS)), f"{path}: link to {href}"
    assert outside(requested_urls(browser)) == []
    severe = [e["message"] for e in browser.get_log("browser") if e["level"] == "SEVERE"]
    assert severe == [], severe


def test_class_page_lists_subclasses_and_members(browser, pages_server, release_rows) -> None:  # type: ignore[no-untyped-def]
    cls = release_rows("""SELECT ?c (COUNT(DISTINCT ?sub) AS ?subs) WHERE {
      ?sub rdfs:subClassOf ?c . ?m a ?sub FILTER(isIRI(?c) && isIRI(?sub) && STRSTARTS(STR(?m), STR(msce:)))
    } GROUP BY ?c ORDER BY DESC(?subs) ?c LIMIT 1""")[0]["c"]
    browser.get(pages_server + href(cls))
    assert browser.find_elements(By.CSS_SELECTOR, "#subclasses li a")
    assert browser.find_elements(By.CSS_SELECTOR, "#members li a")
    assert outside(requested_urls(browser)) == []


@pytest.mark.parametrize("path", [REVIEW, "/entity/bm-msc"])
def test_a_page_with_many_claims_fits_the_height_budget(browser, pages_server, path: str) -> None:  # type: ignore[no-untyped-def]
    browser.get(pages_server + path)
    count = int(browser.find_element(By.CSS_SELECTOR, "#claims .count").text.strip("()").split(";")[0])
    assert count >= (150 if path == REVIEW else 100)
    height = browser.execute_script("return document.documentElement.scrollHeight")
    assert height <= HEIGHT_BUDGET, f"{path}: {count} claims take {height} px"
    group = browser.find_element(By.CSS_SELECTOR, "details.group")
    assert group.get_attribute("open") is None
    group.find_element(By.TAG_NAME, "summary").click()
    assert group.find_element(By.CSS_SELECTOR, "ul.claims li").is_displayed()


@pytest.mark.parametrize(("typed", "expected"), [("星状细胞", "/entity/hepatic-stellate-cell"),
                                                 ("stellate", "/entity/hepatic-stellate-cell")])  # fmt: skip
def test_search_box_suggests_as_you_type(browser, pages_server, typed: str, expected: str) -> None:  # type: ignore[no-untyped-def]
    browser.get(pages_server + "/entity/bm-msc")
    box = browser.find_element(By.CSS_SELECTOR, "header input[type=search]")
    box.send_keys(typed)
    wait = WebDriverWait(browser, 10)
    wait.until(ec.visibility_of_element_located((By.CSS_SELECTOR, "header .suggest a")))
    links = [a.get_attribute("href") for a in browser.find_elements(By.CSS_SELECTOR, "header .suggest a")]
    assert pages_server + expected in links
    box.send_keys(Keys.ENTER)
    wait.until(ec.url_contains("/search?q="))
    assert browser.find_elements(By.CSS_SELECTOR, f'#hits a[href="{expected}"]')
