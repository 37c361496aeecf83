"""The template studio in a real browser (Debian's chromium, chromedriver
and python3-selenium): open the page, pick an edition, give it a photo and
a record, then make a field's size overflow its box in the template's JSON:
the preview must change and the overflow finding appear; a bad key must be
pointed at before the engine is asked; a click on the card must select the
field in the JSON. Screenshots go to $CR_STUDIO_SHOTS (default: the test's
temporary folder) to be looked at."""

import json
import os
import shutil
import time

import pytest

from service_fixture import PHOTO, Server

REQUIRED = os.environ.get("CR_REQUIRE_DATA") == "1"
CHROMIUM, DRIVER = "/usr/bin/chromium", "/usr/bin/chromedriver"


def missing(reason):
    if REQUIRED:
        pytest.fail(f"{reason} (CR_REQUIRE_DATA=1)")
    pytest.skip(reason)


@pytest.fixture(scope="module")
def browser():
    try:
        from selenium import webdriver
        from selenium.webdriver.chrome.options import Options
        from selenium.webdriver.chrome.service import Service
    except ImportError:
        missing("python3-selenium is not installed (Debian: python3-selenium)")
    if not (os.path.exists(CHROMIUM) and os.path.exists(DRIVER)):
        missing("chromium or chromedriver is missing (Debian: chromium, chromium-driver)")
    options = Options()
    for arg in ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--window-size=1600,1000"]:
        options.add_argument(arg)
    options.binary_location = CHROMIUM
    # the sanitizer runtime preloaded into python3 must not reach chromium
    env = {k: v for k, v in os.environ.items() if k not in ("LD_PRELOAD", "ASAN_OPTIONS")}
    driver = webdriver.Chrome(service=Service(DRIVER, env=env), options=options)
    yield driver
    driver.quit()


@pytest.fixture(scope="module")
def server():
    s = Server("--threads", "2")
    yield s
    status, err = s.stop()
    assert status == 0, err


@pytest.fixture
def shots(tmp_path):
    folder = os.environ.get("CR_STUDIO_SHOTS") or str(tmp_path)
    os.makedirs(folder, exist_ok=True)
    return folder


def wait_for(driver, what, predicate, seconds=60):
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        value = predicate(driver)
        if value:
            return value
        time.sleep(0.1)
    status = driver.execute_script("return document.getElementById('status').textContent")
    raise AssertionError(f"the studio never showed {what}; its status: {status}")


def card_digest(driver):
    """A digest of the picture the preview shows (its bytes, fetched from
    the blob URL), or None before one is shown."""
    return driver.execute_async_script("""
        const done = arguments[arguments.length - 1];
        const img = document.getElementById('card');
        if (!img.src) { done(null); return; }
        fetch(img.src).then(r => r.arrayBuffer())
          .then(b => crypto.subtle.digest('SHA-256', b))
          .then(d => done(Array.from(new Uint8Array(d)).join(',')))
          .catch(() => done(null));""")


def set_editor(driver, element_id, text):
    driver.execute_script("""
        const e = document.getElementById(arguments[0]);
        e.value = arguments[1];
        e.dispatchEvent(new Event('input'));""", element_id, text)


def texts(driver, selector):
    # in one call: the page replaces these lists as it updates
    return driver.execute_script(
        "return [...document.querySelectorAll(arguments[0])].map(e => e.textContent)", selector)


def up_to_date(driver):
    return driver.execute_script(
        "return document.getElementById('status').textContent === 'up to date' && "
        "!document.getElementById('card').classList.contains('stale')")


def test_studio_edits_a_card(browser, server, shots):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import Select

    browser.get(server.url + "/")
    wait_for(browser, "the template list", lambda d: len(texts(d, "#template-list option")) >= 14)
    Select(browser.find_element(By.ID, "template-list")).select_by_value("resident-id-zh-photo")
    wait_for(browser, "the template's JSON", lambda d: '"extends"' in d.find_element(
        By.ID, "template-json").get_attribute("value"))
    with open("examples/records/zh-zhang-wei.json", encoding="utf-8") as f:
        record = {k: v for k, v in json.load(f).items() if k != "photo"}
    set_editor(browser, "record-json", json.dumps(record, ensure_ascii=False, indent=2))
    browser.find_element(By.CSS_SELECTOR, "#image-inputs input").send_keys(os.path.abspath(PHOTO))
    wait_for(browser, "the card", lambda d: up_to_date(d) and card_digest(d))
    wait_for(browser, "no findings", lambda d: texts(d, "#findings li") == ["no findings"])
    before = card_digest(browser)
    browser.save_screenshot(os.path.join(shots, "studio-1-card.png"))

    # the sex field at 30 pt in its 3.8 mm box: it overflows
    template = browser.find_element(By.ID, "template-json").get_attribute("value")
    changed = template.replace('"bind": "sex",\n     "font": "Noto Sans CJK SC", "size_pt": 9',
                               '"bind": "sex",\n     "font": "Noto Sans CJK SC", "size_pt": 30')
    assert changed != template, "the edition's sex field is not where the test expects it"
    set_editor(browser, "template-json", changed)
    wait_for(browser, "the overflow finding", lambda d: any(
        t.startswith('overflow: field "sex"') for t in texts(d, "#findings li")))
    wait_for(browser, "a new card", lambda d: up_to_date(d) and card_digest(d) not in (None, before))
    browser.save_screenshot(os.path.join(shots, "studio-2-overflow.png"))

    # the proof overlay on demand: another picture, wider (the sheet's margin)
    width = browser.execute_script("return document.getElementById('card').naturalWidth")
    browser.find_element(By.ID, "proof").click()
    wait_for(browser, "the proof", lambda d: up_to_date(d) and d.execute_script(
        "return document.getElementById('card').naturalWidth") > width)
    browser.save_screenshot(os.path.join(shots, "studio-3-proof.png"))
    browser.find_element(By.ID, "proof").click()
    wait_for(browser, "the card again", lambda d: up_to_date(d) and d.execute_script(
        "return document.getElementById('card').naturalWidth") == width)

    # a key the schema does not know is pointed at before the engine is asked
    set_editor(browser, "template-json", changed.replace('"size_pt": 30', '"size_pts": 30', 1))
    # the schema's (a path into the JSON), not the engine's ("<request template>:11:34: ...")
    problems = wait_for(browser, "the schema's complaint", lambda d: [
        t for t in texts(d, "#template-problems li") if t.startswith("fields.") and "size_pts" in t])
    assert problems
    browser.save_screenshot(os.path.join(shots, "studio-4-schema.png"))
    set_editor(browser, "template-json", changed)
    wait_for(browser, "the card again", up_to_date)

    # a click in the middle of the photo's box names the photo field
    _, _, body = server.request("GET", "/v1/templates/resident-id-zh-photo")
    info = json.loads(body)
    x, y, w, h = next(f["box_mm"] for f in info["fields"] if f["name"] == "photo")
    card_w, card_h = info["card"]["width_mm"], info["card"]["height_mm"]
    img = browser.find_element(By.ID, "card")
    rect = browser.execute_script("return arguments[0].getBoundingClientRect()", img)
    from selenium.webdriver.common.action_chains import ActionChains
    # offsets from the picture's centre (Selenium 4)
    ActionChains(browser).move_to_element_with_offset(
        img, int(rect["width"] * ((x + w / 2) / card_w - 0.5)),
        int(rect["height"] * ((y + h / 2) / card_h - 0.5))).click().perform()
    hint = wait_for(browser, "the field hint", lambda d: '"photo"' in d.find_element(
        By.ID, "field-hint").text and d.find_element(By.ID, "field-hint").text)
    assert '"photo"' in hint
    browser.save_screenshot(os.path.join(shots, "studio-5-pick.png"))
