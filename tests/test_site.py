"""The course site (``course site``): built from the lessons this test session executed, then
opened in a real headless Chromium (Debian's ``chromium`` and ``chromium-driver``, driven by
Selenium): every page loads without a console error, shows as many figures as its executed
notebook has image outputs, holds no error output, and every internal link resolves.

Screenshots of the home page and of one lesson page are kept in ``$COURSE_TEST_ARTEFACTS``
(default: this test's temporary folder, which pytest keeps for the last three sessions).
"""

from __future__ import annotations

import json
import os
import shutil
import urllib.parse
from pathlib import Path

import nbformat
import pytest

from conftest import NOTEBOOKS

IMAGE_TYPES = ("image/png", "image/jpeg", "image/svg+xml", "image/gif")


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
    from course_lib.site import build_site

    with pytest.raises(FileNotFoundError, match="course run all -o"):
        build_site(tmp_path, tmp_path / "site")


def test_headline_numbers_put_the_scores_first():
    from course_lib.site import headline_numbers

    metrics = {"best_epoch": 40, "kmer_roc_auc": 1.0, "n_train": 2800, "roc_auc": 0.99961,
               "seed": 42, "test_accuracy": 0.9883, "model_layers": [["Conv1D", 1]]}
    assert headline_numbers(metrics) == ("roc_auc 0.9996, test_accuracy 0.9883, kmer_roc_auc 1, "
                                         "best_epoch 40")  # the lesson's model before its baselines
    nested = {"dna_test_accuracy": {"conv1d": 1.0, "lstm": 0.7667}, "seed": 0}  # lesson 01's form
    assert headline_numbers(nested) == "dna_test_accuracy.conv1d 1, dna_test_accuracy.lstm 0.7667"


@pytest.mark.notebook
def test_the_site_of_the_tested_runs_opens_in_a_browser(executed_notebooks, lesson_runs, browser,
                                                         tmp_path):
    from course_lib.site import build_site, headline_numbers

    if not any(kind == "notebooks" for kind, _ in executed_notebooks):
        lesson_runs("04_one_hot_cnn")  # this file alone: one lesson; the whole suite: all of them
    runs = runs_folder(executed_notebooks, tmp_path)
    index = build_site(runs, tmp_path / "site")
    site = index.parent
    artefacts = Path(os.environ.get("COURSE_TEST_ARTEFACTS", tmp_path / "artefacts"))
    artefacts.mkdir(parents=True, exist_ok=True)

    check_page(browser, site, "index.html")
    home = browser.page_source
    browser.save_screenshot(str(artefacts / "site-home.png"))
    lessons = sorted(stem for kind, stem in executed_notebooks if kind == "notebooks")
    for stem in lessons:
        metrics = json.loads((runs / f"{stem}.metrics.json").read_text())
        assert f"lessons/{stem}.html" in home, f"the home page does not link {stem}"
        first = headline_numbers(metrics).split(", ")[0]
        assert first and first in home, f"no headline number of {stem} ({first!r})"
        shown = check_page(browser, site, f"lessons/{stem}.html", runs / f"{stem}.ipynb")
        assert shown["figures"] >= 1, f"lessons/{stem}.html shows no figure"
        if (runs / "solutions" / f"{stem}.ipynb").is_file():
            check_page(browser, site, f"solutions/{stem}.html", runs / "solutions" / f"{stem}.ipynb")
    browser.get((site / f"lessons/{lessons[0]}.html").as_uri())
    browser.save_screenshot(str(artefacts / f"site-{lessons[0]}.png"))
    check_page(browser, site, "instructors.html")
    assert (NOTEBOOKS.parent / "solutions").is_dir()
    print(f"site screenshots: {artefacts}")
