"""The course site (``course site``): built from the lessons this test session executed, then
opened in a real headless Chromium (Debian's ``chromium`` and ``chromium-driver``, driven by
Selenium): every page loads without a console error, shows as many figures as its executed
notebook has image outputs, holds no error output, and every internal link resolves.

Screenshots of the home page and of one lesson page are kept in ``$COURSE_TEST_ARTEFACTS``
(default: this test's temporary folder, which pytest keeps for the last three sessions).
"""

from __future__ import annotations

import os
import shutil
import urllib.parse
from pathlib import Path

import nbformat
import pytest

from conftest import NOTEBOOKS

IMAGE_TYPES = ("image/png", "image/jpeg", "image/svg+xml", "image/gif")


def list_lessons_here():
    from course_lib.app.runner import list_lessons

    return list_lessons(NOTEBOOKS)


def body_text(browser) -> str:
    """The page's visible text, whitespace collapsed (what a reader sees)."""
    return " ".join(browser.execute_script("return document.body.innerText;").split())


def image_outputs(path: Path) -> int:
    nb = nbformat.read(path, as_version=4)
    return sum(1 for c in nb.cells if c.cell_type == "code" for o in c.get("outputs", [])
               if any(t in o.get("data", {}) for t in IMAGE_TYPES))


def error_outputs(path: Path) -> list[int]:
    nb = nbformat.read(path, as_version=4)
    return [i for i, c in enumerate(nb.cells) if c.cell_type == "code"
            for o in c.get("outputs", []) if o.get("output_type") == "error"]


@pytest.fixture(scope="module")
def browser():
    chromium, driver = shutil.which("chromium"), shutil.which("chromedriver")
    if not (chromium and driver):
        pytest.skip("the browser check needs Debian's chromium and chromium-driver "
                    "(apt-get install chromium chromium-driver; .ci/run installs them)")
    from selenium import webdriver
    from selenium.webdriver.chrome.options import Options
    from selenium.webdriver.chrome.service import Service

    options = Options()
    for argument in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                     "--window-size=1400,1000"):
        options.add_argument(argument)
    options.binary_location = chromium
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    session = webdriver.Chrome(service=Service(driver), options=options)
    yield session
    session.quit()


def check_page(browser, site: Path, page: str, executed: Path | None = None) -> dict:
    """Open ``site/page``; assert no console error, its figures, no error cell, its links."""
    from selenium.webdriver.common.by import By

    browser.get((site / page).as_uri())
    browser.execute_script("return document.readyState")
    errors = [e["message"] for e in browser.get_log("browser") if e["level"] == "SEVERE"]
    assert not errors, f"{page}: console errors {errors}"
    images = browser.find_elements(By.CSS_SELECTOR, "article img")
    broken = [i.get_attribute("src") for i in images
              if not browser.execute_script("return arguments[0].naturalWidth", i)]
    assert not broken, f"{page}: images that do not load: {broken}"
    if executed is not None:
        assert len(images) == image_outputs(executed), (
            f"{page}: {len(images)} figures, the executed notebook has {image_outputs(executed)}")
        assert not error_outputs(executed), f"{executed.name}: error outputs"
        assert not browser.find_elements(By.CSS_SELECTOR, ".cell_output .traceback, .output.error")
    for href in {a.get_attribute("href") for a in browser.find_elements(By.CSS_SELECTOR, "a[href]")}:
        url = urllib.parse.urlparse(href)
        if url.scheme != "file":
            continue
        target = Path(urllib.parse.unquote(url.path))
        assert target.is_file() and site.resolve() in target.resolve().parents, (
            f"{page}: link {href} does not resolve inside the site")
    return {"page": page, "figures": len(images)}


def runs_folder(executed_notebooks: dict, where: Path) -> Path:
    """Lay the session's executed notebooks out as `course run all -o RUNS` does."""
    runs = where / "runs"
    (runs / "solutions").mkdir(parents=True)
    for (kind, stem), path in executed_notebooks.items():
        target = runs / "solutions" if kind == "solutions" else runs
        shutil.copy(path, target / f"{stem}.ipynb")
        metrics = path.with_name(f"{stem}.metrics.json")
        if metrics.is_file():
            shutil.copy(metrics, target / metrics.name)
    return runs


def test_an_empty_runs_folder_says_what_to_run(tmp_path):
    from course_lib.app.site import build_site

    with pytest.raises(FileNotFoundError, match="course run all -o"):
        build_site(tmp_path, tmp_path / "site")


def test_the_home_table_shows_each_lessons_headline_sentence(tmp_path):
    """The home table's second column is the first sentence of "What the default run shows"
    (a short sentence that fits the page), not the raw metric keys of the run."""
    from course_lib.app.runner import list_lessons
    from course_lib.app.site import _table_row

    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell(
        "# Find a motif\n**What you'll do:** train a CNN.\n\n"
        "**Runtime:** about 2 min on a 2-core laptop; seconds on one GPU.\n\n"
        "**What the default run shows:** the CNN finds the motif, within 0.05 of the oracle. "
        "The k-mer baseline does as well.\n\n## Data")])
    nbformat.write(nb, tmp_path / "04_find.ipynb")
    lesson = list_lessons(tmp_path)[0]
    assert lesson.headline == "the CNN finds the motif, within 0.05 of the oracle."
    assert _table_row(lesson, has_solution=True) == (
        "| [Find a motif](lessons/04_find.ipynb) | the CNN finds the motif, within 0.05 of the "
        "oracle. | about 2 min on a 2-core laptop | [solutions](solutions/04_find.ipynb) |")


@pytest.mark.parametrize("lesson", list_lessons_here(), ids=lambda ls: ls.stem)
def test_every_lesson_has_a_short_headline(lesson):
    words = len(lesson.headline.split())
    assert 3 <= words <= 30, (
        f"{lesson.stem}: the first sentence of 'What the default run shows' is the site's "
        f"headline: {words} words ({lesson.headline!r}); one short sentence in round numbers"
    )


@pytest.mark.notebook
def test_the_site_of_the_tested_runs_opens_in_a_browser(executed_notebooks, lesson_runs, browser,
                                                         tmp_path):
    from course_lib.app.site import build_site

    if not any(kind == "notebooks" for kind, _ in executed_notebooks):
        lesson_runs("04_one_hot_cnn")  # this file alone: one lesson; the whole suite: all of them
    runs = runs_folder(executed_notebooks, tmp_path)
    index = build_site(runs, tmp_path / "site")
    site = index.parent
    artefacts = Path(os.environ.get("COURSE_TEST_ARTEFACTS", tmp_path / "artefacts"))
    artefacts.mkdir(parents=True, exist_ok=True)

    check_page(browser, site, "index.html")
    home = browser.page_source
    lesson_by_stem = {ls.stem: ls for ls in list_lessons_here()}
    overflow = browser.execute_script(
        "const t = document.querySelector('table'); const box = t.parentElement;"
        "return [t.scrollWidth, box.clientWidth];")
    assert overflow[0] <= overflow[1] + 2, f"the home table is wider than the page: {overflow}"
    browser.save_screenshot(str(artefacts / "site-home.png"))
    lessons = sorted(stem for kind, stem in executed_notebooks if kind == "notebooks")
    for stem in lessons:
        assert f"lessons/{stem}.html" in home, f"the home page does not link {stem}"
        headline = " ".join(lesson_by_stem[stem].headline.replace("`", "").split()[:4])
        assert headline in body_text(browser), f"no headline sentence of {stem} ({headline!r})"
        shown = check_page(browser, site, f"lessons/{stem}.html", runs / f"{stem}.ipynb")
        for noise in ("absl::InitializeLog", "Could not find cuda drivers"):
            assert noise not in browser.page_source, f"lessons/{stem}.html shows {noise!r}"
        assert shown["figures"] >= 1, f"lessons/{stem}.html shows no figure"
        if (runs / "solutions" / f"{stem}.ipynb").is_file():
            check_page(browser, site, f"solutions/{stem}.html", runs / "solutions" / f"{stem}.ipynb")
    browser.get((site / f"lessons/{lessons[0]}.html").as_uri())
    browser.save_screenshot(str(artefacts / f"site-{lessons[0]}.png"))
    check_page(browser, site, "instructors.html")
    assert (NOTEBOOKS.parent / "solutions").is_dir()
    print(f"site screenshots: {artefacts}")
