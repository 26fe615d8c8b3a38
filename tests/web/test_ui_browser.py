"""The query page works in a real headless Chromium with no network: YASGUI loads from our server and runs a query.

Chromium resolves no host but 127.0.0.1 (``--host-resolver-rules``), so any asset fetched from a CDN or any call to
an outside service would fail; the test also checks the browser's log for such failed requests.
"""

import shutil

import pytest
from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as ec
from selenium.webdriver.support.ui import WebDriverWait


@pytest.fixture(scope="module")
def browser():  # type: ignore[no-untyped-def]
    chromium, driver = shutil.which("chromium"), shutil.which("chromedriver")
    assert chromium and driver, "Debian's chromium and chromium-driver are needed (make browser)"
    options = webdriver.ChromeOptions()
    options.binary_location = chromium
    for flag in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync",
                 "--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE 127.0.0.1"):  # fmt: skip
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    chrome = webdriver.Chrome(service=Service(driver), options=options)
    yield chrome
    chrome.quit()


def test_yasgui_loads_offline_and_runs_a_query(browser, live_server) -> None:  # type: ignore[no-untyped-def]
    browser.get(live_server["url"] + "/sparql")
    wait = WebDriverWait(browser, 20)
    wait.until(ec.presence_of_element_located((By.CSS_SELECTOR, ".yasqe .CodeMirror")))
    tabs = browser.execute_script("return window.msckgYasgui.persistentConfig.getTabs().length")
    assert tabs == 1  # one example query in the fixture release
    browser.execute_script(
        "const tab = window.msckgYasgui.getTab();"
        "tab.setQuery('SELECT ?label WHERE { <https://w3id.org/msc-liver/entity/bm-msc> "
        "<http://www.w3.org/2000/01/rdf-schema#label> ?label }');"
        "tab.getYasqe().query();"
    )
    wait.until(ec.text_to_be_present_in_element((By.CSS_SELECTOR, ".yasr"), "骨髓间充质干细胞"))
    assert "bone marrow-derived mesenchymal stem cell" in browser.find_element(By.CSS_SELECTOR, ".yasr").text
    failed = [e["message"] for e in browser.get_log("browser") if "ERR_NAME_NOT_RESOLVED" in e["message"]]
    assert failed == [], f"the page tried to reach outside hosts: {failed}"
