"""The browser and the gestures the portal tests share (Selenium on Chromium)."""

from __future__ import annotations

import re
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

from selenium import webdriver
from selenium.common.exceptions import StaleElementReferenceException
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.remote.webelement import WebElement
from selenium.webdriver.support.ui import WebDriverWait

CHROME_FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
)
WAIT = 20.0


class Portal:
    """One browser session on the portal, with the few gestures the tests need."""

    def __init__(self, driver: webdriver.Chrome, base: str) -> None:
        self.driver, self.base = driver, base

    # -- waiting and finding
    def wait(self, condition: Callable[[], Any], timeout: float = WAIT, what: str = "") -> Any:
        def attempt(_driver: Any) -> Any:
            try:
                return condition()
            except StaleElementReferenceException:
                return False

        return WebDriverWait(self.driver, timeout, poll_frequency=0.1).until(
            attempt, message=what or "condition not met"
        )

    def css(self, selector: str) -> WebElement:
        return self.driver.find_element(By.CSS_SELECTOR, selector)

    def all(self, selector: str) -> list[WebElement]:
        return self.driver.find_elements(By.CSS_SELECTOR, selector)

    def visible(self, selector: str) -> WebElement:
        return self.wait(
            lambda: next((e for e in self.all(selector) if e.is_displayed()), None),
            what=f"{selector} visible",
        )

    # -- gestures
    def open(self, path: str = "/") -> None:
        self.driver.get(self.base + path)

    def login(self, user: str, password: str) -> None:
        self.open("/")
        self.visible("#login-user").send_keys(user)
        self.css("#login-password").send_keys(password)
        self.css("#login-form button[type=submit]").click()
        self.visible('.tabs a[data-tab="activation"][aria-current="page"]')

    def logout(self) -> None:
        self.css("#logout").click()
        self.visible("#login-user")

    def tab(self, name: str) -> WebElement:
        self.css(f'.tabs a[data-tab="{name}"]').click()
        self.visible(f'.tabs a[data-tab="{name}"][aria-current="page"]')
        return self.css(f"#tab-{name}")

    def pick(self, workflow: str) -> WebElement:
        self.tab("activation")
        self.visible(f'#tab-activation [data-do="pick"][data-workflow="{workflow}"]').click()
        return self.visible(f'#tab-activation form.variables[data-workflow="{workflow}"]')

    def field(self, form: WebElement, name: str) -> WebElement:
        return form.find_element(By.CSS_SELECTOR, f'[data-variable="{name}"] [name="{name}"]')

    def set_field(self, form: WebElement, name: str, value: str) -> None:
        box = self.field(form, name)
        if not box.is_displayed():
            box.find_element(By.XPATH, "ancestor::details/summary").click()
        box.clear()
        box.send_keys(value)

    def submit(self, form: WebElement) -> None:
        form.find_element(By.CSS_SELECTOR, "button[type=submit]").click()

    def notice(self, pattern: str) -> re.Match[str]:
        return self.wait(
            lambda: re.search(pattern, self.css("#notice").text), what=f"notice {pattern!r}"
        )

    def activate(self, workflow: str, **variables: str) -> int:
        form = self.pick(workflow)
        for name, value in variables.items():
            self.set_field(form, name, value)
        self.submit(form)
        return int(self.notice(r"Instance (\d+) of \S+ submitted").group(1))

    def row(self, tab: str, instance_id: int) -> WebElement:
        return self.visible(f'#tab-{tab} tr[data-instance="{instance_id}"]')

    def state_of(self, instance_id: int) -> str:
        return self.row("activated", instance_id).find_element(By.CSS_SELECTOR, ".state").text

    def wait_state(self, instance_id: int, state: str, tab: str = "activated") -> None:
        def reached() -> bool:
            rows = self.all(f'#tab-{tab} tr[data-instance="{instance_id}"] .status')
            return bool(rows) and rows[0].text == state

        self.wait(reached, what=f"instance {instance_id} in {state} on {tab}")

    def run_action(self, instance_id: int, workflow: str, **variables: str) -> None:
        self.row("activated", instance_id).find_element(
            By.CSS_SELECTOR, f'[data-do="action"][data-workflow="{workflow}"]'
        ).click()
        form = self.visible(f'#dialog form.variables[data-workflow="{workflow}"]')
        for name, value in variables.items():
            self.set_field(form, name, value)
        self.submit(form)
        self.notice(rf"{workflow} submitted on instance {instance_id}")

    def confirm(self, answer: str = "yes") -> None:
        self.visible(f'#dialog [data-confirm="{answer}"]').click()

    def screenshot(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.driver.save_screenshot(str(path))


def new_browser(paths: tuple[str, str], width: int = 1280, height: int = 800) -> webdriver.Chrome:
    chromium, chromedriver = paths
    options = webdriver.ChromeOptions()
    options.binary_location = chromium
    for flag in CHROME_FLAGS:
        options.add_argument(flag)
    options.add_argument(f"--user-data-dir={tempfile.mkdtemp(prefix='psa-portal-chrome-')}")
    options.add_argument(f"--window-size={width},{height}")
    driver = webdriver.Chrome(options=options, service=Service(executable_path=chromedriver))
    set_viewport(driver, width, height)
    return driver


def set_viewport(driver: webdriver.Chrome, width: int, height: int) -> None:
    driver.execute_cdp_cmd(
        "Emulation.setDeviceMetricsOverride",
        {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": False},
    )
