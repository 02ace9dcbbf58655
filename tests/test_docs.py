"""The docs site (`make docs`, tools/build_docs.py -> _site/) opened in headless Chromium.

The test uses _site/ when `make docs` built it from the notebooks as they are now (build_docs.is_fresh), else builds
the site into a temporary folder (notebooks already rendered come from mkdocs-jupyter's cache); it is served from
127.0.0.1, and Debian's chromium + chromium-driver are driven by selenium. On the home page and on the page of the HPD
method notebook (nbs/*_hpd.ipynb) every <img> has loaded, there is one <img> per image/png output the notebook shows,
and the sidebar lists every notebook, in reading order, under its title.
Without Chromium the tests are skipped, or fail when CI is set (CI=true).
tools/run_tests.sh leaves this file out: .ci/run runs it in its own stage."""
import functools
import http.server
import importlib.util
import os
import shutil
import threading
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = "/usr/bin/chromium"
CHROMEDRIVER = "/usr/bin/chromedriver"

spec = importlib.util.spec_from_file_location("build_docs", ROOT / "tools" / "build_docs.py")
build_docs = importlib.util.module_from_spec(spec)
spec.loader.exec_module(build_docs)


def hpd_notebook():
    "The HPD method notebook: nbs/*_hpd.ipynb, the lowest number if there are several."
    found = sorted(build_docs.NBS.glob("*_hpd.ipynb"), key=build_docs.reading_order)
    assert found, "no nbs/*_hpd.ipynb"
    return found[0]


PAGES = {"index": build_docs.NBS / "index.ipynb", "hpd": hpd_notebook()}


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    """The site (_site/ if `make docs` built it from the notebooks as they are, else a build in a temporary folder),
    served over http on an ephemeral port; yields the base URL."""
    fresh = build_docs.is_fresh(build_docs.SITE)
    out = build_docs.SITE if fresh else build_docs.build(tmp_path_factory.mktemp("site"))
    handler = functools.partial(QuietHandler, directory=str(out))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}/"
    server.shutdown()
    server.server_close()


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format, *args):
        pass


@pytest.fixture(scope="module")
def browser():
    "Headless Chromium through chromedriver, with a desktop-sized window (the sidebar shows from 1220 px wide)."
    missing = [path for path in (CHROMIUM, CHROMEDRIVER) if not shutil.which(path)]
    if missing:
        reason = f"{' and '.join(missing)} not found: apt-get install -y chromium chromium-driver"
        if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
            pytest.fail(reason)
        pytest.skip(reason)
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    options.add_argument("--headless=new")
    options.add_argument("--window-size=1280,900")
    options.add_argument("--disable-dev-shm-usage")
    if os.geteuid() == 0:
        options.add_argument("--no-sandbox")  # Chromium refuses to run as root with its sandbox
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
    driver.set_page_load_timeout(60)
    yield driver
    driver.quit()


@pytest.mark.parametrize("name", PAGES)
def test_images_load(browser, site, name):
    notebook = PAGES[name]
    browser.get(site + build_docs.page_path(notebook))  # returns after the load event: every <img> has loaded or failed
    images = browser.execute_script(
        "return Array.from(document.images, i => ({src: i.src.slice(0, 80), complete: i.complete, width: i.naturalWidth}))")
    broken = [image["src"] for image in images if not (image["complete"] and image["width"] > 0)]
    assert not broken, f"{notebook.name}: images that did not load: {broken}"
    expected = build_docs.png_outputs(notebook)
    assert len(images) == expected, f"{notebook.name}: {len(images)} <img> on the page, {expected} PNG outputs shown"


@pytest.mark.parametrize("name", PAGES)
def test_sidebar_lists_every_notebook(browser, site, name):
    browser.get(site + build_docs.page_path(PAGES[name]))
    assert browser.find_element("css selector", "nav.md-nav--primary").is_displayed(), "the sidebar is not shown"
    links = browser.execute_script(
        "const sel = 'nav.md-nav--primary > ul.md-nav__list > li.md-nav__item > a.md-nav__link';"
        "return Array.from(document.querySelectorAll(sel), a => [a.textContent.trim(), a.href])")
    expected = [[build_docs.title(nb), site + build_docs.page_path(nb)] for nb in build_docs.notebooks()]
    assert links == expected
    # and, independently of build_docs' own list, one link per nbs/*.ipynb file
    files = {path.stem for path in build_docs.NBS.glob("*.ipynb") if not path.name.startswith("_")}
    assert {href.rsplit("/", 1)[-1].removesuffix(".html") for _, href in links} == files
