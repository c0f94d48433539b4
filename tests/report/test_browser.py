"""The report in a real browser: headless Chromium, driven over the Chrome DevTools Protocol.

Chromium speaks the protocol over two pipes when started with
--remote-debugging-pipe (it reads commands on fd 3 and writes replies on fd 4,
each a JSON text ended by a NUL byte), so this needs only the standard library
and Debian's ``chromium`` package. Without chromium the tests skip, unless CI
is set: there a missing browser is a failure.
"""
from __future__ import annotations

import fcntl
import json
import os
import select
import shutil
import subprocess
import time
from pathlib import Path

import pytest

from conformance.report import render

IMG_PAYLOAD = '<img src=x onerror="window.__pwned=1">'
SCRIPT_PAYLOAD = "<script>window.__pwned=1</script>"
TIMEOUT_S = 20.0
CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update", "--disable-sync",
                  "--disable-dev-shm-usage", "--window-size=1280,900", "--remote-debugging-pipe"]


# ------------------------------------------------------------------ finding and driving chromium
def chromium_binary() -> str | None:
    for name in ("chromium", "chromium-browser"):
        path = shutil.which(name)
        if path:
            return path
    return None


def running_in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() not in ("", "0", "false", "no")


class Chromium:
    """One headless Chromium process and its DevTools pipe."""

    def __init__(self, binary: str, profile: Path) -> None:
        commands_read, self._commands = os.pipe()
        self._replies, replies_write = os.pipe()

        def place_pipes():  # in the child: chromium expects them on fds 3 and 4
            high_read = fcntl.fcntl(commands_read, fcntl.F_DUPFD, 10)
            high_write = fcntl.fcntl(replies_write, fcntl.F_DUPFD, 10)
            os.dup2(high_read, 3)
            os.dup2(high_write, 4)

        self.log = profile.parent / "chromium-stderr.log"
        with open(self.log, "wb") as stderr:
            self.process = subprocess.Popen(
                [binary, *CHROMIUM_FLAGS, f"--user-data-dir={profile}", "about:blank"],
                stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=stderr,
                close_fds=False, preexec_fn=place_pipes)  # noqa: PLW1509 - no threads here
        os.close(commands_read)
        os.close(replies_write)
        self._buffer = b""
        self._next_id = 0
        self.events: list = []

    def send(self, method: str, params: dict | None = None, session: str | None = None) -> dict:
        self._next_id += 1
        message = {"id": self._next_id, "method": method, "params": params or {}}
        if session:
            message["sessionId"] = session
        os.write(self._commands, json.dumps(message).encode() + b"\0")
        while True:
            reply = self._read()
            if reply.get("id") == self._next_id:
                if "error" in reply:
                    raise RuntimeError(f"{method}: {reply['error']}")
                return reply.get("result", {})
            if "method" in reply:
                self.events.append(reply)

    def _read(self) -> dict:
        deadline = time.monotonic() + TIMEOUT_S
        while b"\0" not in self._buffer:
            remaining = deadline - time.monotonic()
            ready, _, _ = select.select([self._replies], [], [], max(remaining, 0))
            if not ready:
                raise TimeoutError(f"chromium sent nothing for {TIMEOUT_S} s; see {self.log}")
            chunk = os.read(self._replies, 1 << 16)
            if not chunk:
                raise RuntimeError(f"chromium closed its DevTools pipe; see {self.log}")
            self._buffer += chunk
        message, self._buffer = self._buffer.split(b"\0", 1)
        return json.loads(message)

    def close(self) -> None:
        try:
            self.send("Browser.close")
            self.process.wait(timeout=10)
        except (RuntimeError, TimeoutError, OSError, subprocess.TimeoutExpired):
            self.process.kill()
            self.process.wait(timeout=10)
        finally:
            os.close(self._commands)
            os.close(self._replies)


class Page:
    """One tab, attached with a flat session so commands go straight to it."""

    def __init__(self, browser: Chromium, url: str) -> None:
        self.browser = browser
        self.target = browser.send("Target.createTarget", {"url": "about:blank"})["targetId"]
        self.session = browser.send("Target.attachToTarget", {"targetId": self.target, "flatten": True})["sessionId"]
        for domain in ("Runtime", "Log", "Network", "Page"):
            self.send(f"{domain}.enable")
        self.send("Page.navigate", {"url": url})
        self._wait_for("document.readyState === 'complete'")

    def send(self, method: str, params: dict | None = None) -> dict:
        return self.browser.send(method, params, self.session)

    def evaluate(self, expression: str):
        reply = self.send("Runtime.evaluate", {"expression": expression, "returnByValue": True})
        if "exceptionDetails" in reply:
            raise RuntimeError(f"{expression}: {reply['exceptionDetails']}")
        return reply["result"].get("value")

    def _wait_for(self, expression: str) -> None:
        deadline = time.monotonic() + TIMEOUT_S
        while not self.evaluate(expression):
            if time.monotonic() > deadline:
                raise TimeoutError(f"never true: {expression}")
            time.sleep(0.05)

    def click(self, selector: str) -> None:
        """A real mouse click in the middle of the element, as a person would make it."""
        box = self.evaluate(f"""(() => {{
            const element = document.querySelector({json.dumps(selector)});
            element.scrollIntoView({{block: "center"}});
            const r = element.getBoundingClientRect();
            return {{x: r.left + r.width / 2, y: r.top + r.height / 2}};
        }})()""")
        for kind in ("mouseMoved", "mousePressed", "mouseReleased"):
            self.send("Input.dispatchMouseEvent", {"type": kind, "x": box["x"], "y": box["y"], "button": "left",
                                                   "clickCount": 1})

    def type_into(self, selector: str, text: str) -> None:
        self.click(selector)
        self.send("Input.insertText", {"text": text})

    def clear(self, selector: str) -> None:
        """Select all (ctrl+A) and delete, as a person would empty the box."""
        self.click(selector)
        self._press("a", "KeyA", 65, modifiers=2)
        self._press("Backspace", "Backspace", 8)

    def _press(self, key: str, code: str, key_code: int, modifiers: int = 0) -> None:
        for kind in ("keyDown", "keyUp"):
            self.send("Input.dispatchKeyEvent", {"type": kind, "key": key, "code": code, "modifiers": modifiers,
                                                 "windowsVirtualKeyCode": key_code})

    def visible_behaviours(self) -> list:
        return self.evaluate("""[...document.querySelectorAll("tbody.behaviour")]
            .filter(element => element.getClientRects().length > 0)
            .map(element => element.querySelector("td code").textContent)""")

    def events(self, method: str) -> list:
        return [event for event in self.browser.events
                if event.get("method") == method and event.get("sessionId") == self.session]

    def close(self) -> None:
        self.browser.send("Target.closeTarget", {"targetId": self.target})


# ------------------------------------------------------------------ the report under test
def behaviour(behaviour_id: str, status: str, message: str = "") -> dict:
    side = {"outputs": {"kind": "dict", "items": {"x": {"kind": "str", "value": IMG_PAYLOAD}}}, "error": None,
            "warnings": []}
    return {"id": behaviour_id, "title": f"title of {behaviour_id}", "category": behaviour_id.split(".")[0],
            "source": {"document": "001_doc.txt", "shows": SCRIPT_PAYLOAD, "kind": "seed"}, "status": status,
            "diffs": [{"path": "outputs.items.x.value", "expected": IMG_PAYLOAD, "actual": SCRIPT_PAYLOAD,
                       "note": IMG_PAYLOAD}] if status == "fail" else [],
            "tolerance": {}, "max_abs_error": 0.0, "max_rel_error": 0.0, "duration_s": 0.01,
            "torch": side, "impl": side, "message": message}


PASSING = ["basics.first", "basics.second", "graph.works"]
FAILING = ["graph.broken_img", "tracking.broken_script"]


def report_run() -> dict:
    results = [behaviour(behaviour_id, "pass") for behaviour_id in PASSING]
    results += [behaviour("graph.broken_img", "fail", f"torch 1 != implementation 2 {IMG_PAYLOAD}"),
                behaviour("tracking.broken_script", "fail", f"unique-needle {SCRIPT_PAYLOAD}"),
                behaviour("version.missing", "not-implemented", "not implemented: torch.foo")]
    return {"run": {"torch_version": "2.13.0", "implementation": "reference_impl", "date": "2026-01-01"},
            "results": results}


@pytest.fixture(scope="module")
def browser(tmp_path_factory):
    binary = chromium_binary()
    if binary is None:
        if running_in_ci():
            pytest.fail("chromium is not installed but CI is set: install Debian's `chromium` package")
        pytest.skip("chromium is not installed (Debian package `chromium`); under CI=true this fails instead")
    chromium = Chromium(binary, tmp_path_factory.mktemp("chromium") / "profile")
    yield chromium
    chromium.close()


@pytest.fixture(scope="module")
def report_url(tmp_path_factory) -> str:
    path = render.write_html([report_run(), report_run()], tmp_path_factory.mktemp("report") / "report.html")
    return path.as_uri()


@pytest.fixture
def page(browser, report_url):
    opened = Page(browser, report_url)
    yield opened
    opened.close()


# ------------------------------------------------------------------ tests
def test_the_page_renders_its_summary_and_table(page):
    assert page.evaluate("document.querySelector('h1').textContent") == "Autograd conformance report"
    assert page.evaluate("document.querySelectorAll('#summary table.summary tr.run-row').length") == 2  # a row per run
    assert sorted(page.visible_behaviours()) == sorted(PASSING + FAILING + ["version.missing"])
    assert page.evaluate("document.getElementById('shown').textContent") == "6 of 6 shown"


def test_the_fail_filter_hides_passing_rows(page):
    page.click("button[data-filter='fail']")
    assert sorted(page.visible_behaviours()) == FAILING
    assert page.evaluate("document.querySelector(\"button[data-filter='fail']\").getAttribute('aria-pressed')") \
        == "true"
    assert page.evaluate("document.querySelector(\"section.category[data-category='basics']\").hidden") is True
    page.click("button[data-filter='all']")
    assert len(page.visible_behaviours()) == 6


def test_the_search_box_filters_by_id_and_by_message(page):
    page.type_into("#search", "second")
    assert page.visible_behaviours() == ["basics.second"]
    page.clear("#search")
    page.type_into("#search", "UNIQUE-needle")
    assert page.visible_behaviours() == ["tracking.broken_script"]
    page.clear("#search")
    assert len(page.visible_behaviours()) == 6


def test_filters_apply_to_the_matrix_too(page):
    page.click("button[data-filter='fail']")
    visible_rows = page.evaluate("""[...document.querySelectorAll("tr.matrix-row")]
        .filter(row => row.getClientRects().length > 0).map(row => row.querySelector("code").textContent)""")
    assert sorted(visible_rows) == FAILING


def test_no_script_from_data_ran_and_data_shows_as_text(page):
    page.evaluate("document.querySelectorAll('details').forEach(d => d.open = true)")
    time.sleep(0.2)  # give an injected onerror handler the chance to fire, were there one
    assert page.evaluate("typeof window.__pwned") == "undefined"
    assert page.evaluate("document.querySelectorAll('img').length") == 0
    assert page.evaluate("document.querySelectorAll('script').length") == 2  # the JSON block and the report's own
    message = page.evaluate("""[...document.querySelectorAll("tbody.behaviour")]
        .find(element => element.querySelector("td code").textContent === "graph.broken_img")
        .querySelector("pre.message").textContent""")
    assert message == f"torch 1 != implementation 2 {IMG_PAYLOAD}"


def test_the_page_runs_without_errors_or_requests_outside_the_file(page):
    page.click("button[data-filter='error']")
    assert page.events("Runtime.exceptionThrown") == []
    errors = [event["params"]["entry"] for event in page.events("Log.entryAdded")
              if event["params"]["entry"].get("level") == "error"]
    assert errors == []
    requested = [event["params"]["request"]["url"] for event in page.events("Network.requestWillBeSent")]
    assert requested and all(url.startswith("file://") for url in requested)


# ------------------------------------------------------------------ the matrix of every recorded release
RELEASES = ["1.13.1", "2.0.1", "2.1.2", "2.2.2", "2.3.1", "2.4.1", "2.5.1", "2.6.0", "2.7.1", "2.8.0", "2.9.1",
            "2.10.0", "2.11.0", "2.12.0", "2.13.0", "2.14.1", "2.15.0"]


def test_a_matrix_of_17_releases_fits_a_1400px_window_with_the_behaviour_column_in_view(browser, tmp_path):
    ids = ["hooks.post_accumulate_grad_hook_sees_updated_grad", "autograd_grad.retain_graph_second_backward_accumulates",
           "grad_fn.add_name"]
    runs = [{"run": {"torch_version": version, "torch_source": "recording", "implementation": "reference_impl",
                     "date": "2026-01-01"},
             "results": [behaviour(behaviour_id, "pass") for behaviour_id in ids]} for version in RELEASES]
    opened = Page(browser, render.write_html(runs, tmp_path / "matrix.html").as_uri())
    try:
        opened.send("Emulation.setDeviceMetricsOverride", {"width": 1400, "height": 1000, "deviceScaleFactor": 1,
                                                           "mobile": False})
        sizes = opened.evaluate("""(() => {
            const table = document.querySelector("table.matrix"), box = table.closest(".scroll");
            const header = table.querySelector("tbody th[scope=row]");
            box.scrollLeft = 10000;
            return {table: table.getBoundingClientRect().width, box: box.clientWidth,
                    columns: table.querySelectorAll("thead th").length,
                    stuck: Math.round(header.getBoundingClientRect().left - box.getBoundingClientRect().left)}; })()""")
    finally:
        opened.close()
    assert sizes["columns"] == 18
    assert sizes["table"] <= sizes["box"], sizes  # every release in view without scrolling sideways
    assert sizes["stuck"] == 0  # and were it wider, the behaviour column would stay at the left edge


# ------------------------------------------------------------------ navigating: permalinks, contents, lazy parts
def set_window(page: Page, width: int = 1400, height: int = 1000) -> None:
    page.send("Emulation.setDeviceMetricsOverride", {"width": width, "height": height, "deviceScaleFactor": 1,
                                                     "mobile": False})


def visible(page: Page, selector: str) -> list:
    return page.evaluate(f"""[...document.querySelectorAll({json.dumps(selector)})]
        .filter(element => element.getClientRects().length > 0).map(element => element.textContent.trim())""")


def page_fits(page: Page) -> dict:
    return page.evaluate("""(() => ({page: document.documentElement.scrollWidth, window: window.innerWidth,
        summary: document.querySelector("table.summary").getBoundingClientRect().width}))()""")


@pytest.fixture(scope="module")
def single_url(tmp_path_factory) -> str:
    run = report_run()
    for result in run["results"]:
        result["code"] = f"def _(t, ctx):  # {result['id']}\n    return t.ones(1)\n"
    return render.write_html([run], tmp_path_factory.mktemp("single") / "report.html").as_uri()


def test_one_run_permalinks_contents_code_and_lazy_observations(browser, single_url):
    opened = Page(browser, single_url + "#graph.broken_img")
    try:
        set_window(opened)
        assert opened.evaluate("document.querySelector(':target').id") == "graph.broken_img"
        assert opened.evaluate("document.querySelector(':target').getBoundingClientRect().top") < 1000
        toc = opened.evaluate("""[...document.querySelectorAll("#toc li")].map(li => li.textContent.replace(/\\s+/g, " ").trim())""")
        assert toc == ["basics 2 · 2 / 2", "graph 1 · 1 / 2", "tracking 0 · 0 / 1", "version 0 · 0 / 1"]
        opened.click("#toc a[href='#category-graph']")
        assert opened.evaluate("location.hash") == "#category-graph"
        # the diff table: both sides get the same width, and the words that differ are marked
        opened.evaluate("document.querySelectorAll('#graph\\\\.broken_img details').forEach(d => d.open = true)")
        widths = opened.evaluate("""[...document.querySelector("#graph\\\\.broken_img table.diffs tbody tr").cells]
            .map(cell => Math.round(cell.getBoundingClientRect().width))""")
        assert widths[2] == widths[3] and widths[2] > 250, widths
        assert opened.evaluate("document.querySelectorAll('#graph\\\\.broken_img table.diffs del, "
                               "#graph\\\\.broken_img table.diffs ins').length") >= 2
        # a passing behaviour: its observations are written only when opened
        selector = "#basics\\.first"
        assert opened.evaluate(f"document.querySelector({json.dumps(selector + ' pre.observation')}).textContent") == ""
        opened.evaluate(f"document.querySelector({json.dumps(selector + ' details.more')}).open = true")
        opened.click(selector + " details.observations > summary")
        deadline = time.monotonic() + TIMEOUT_S
        while not opened.evaluate(f"document.querySelector({json.dumps(selector + ' pre.observation')}).textContent"):
            assert time.monotonic() < deadline, "the observations never appeared"
            time.sleep(0.05)
        text = opened.evaluate(f"document.querySelector({json.dumps(selector + ' pre.observation')}).textContent")
        assert json.loads(text)["outputs"]["items"]["x"]["value"] == IMG_PAYLOAD  # as text, not as markup
        assert opened.evaluate("document.querySelectorAll('img').length") == 0
        opened.click(selector + " details.code > summary")
        deadline = time.monotonic() + TIMEOUT_S
        while not opened.evaluate(f"document.querySelector({json.dumps(selector + ' pre.code')}).textContent"):
            assert time.monotonic() < deadline, "the code never appeared"
            time.sleep(0.05)
        assert opened.evaluate(f"document.querySelector({json.dumps(selector + ' pre.code')}).textContent") == \
            "def _(t, ctx):  # basics.first\n    return t.ones(1)\n"
        assert page_fits(opened)["page"] <= 1400
        assert opened.events("Runtime.exceptionThrown") == []
    finally:
        opened.close()


def run_of(version: str, failing: set, without: set = frozenset()) -> dict:
    ids = PASSING + FAILING + ["version.missing"]
    results = []
    for behaviour_id in ids:
        if behaviour_id in without:
            continue
        status = "fail" if behaviour_id in failing else "not-implemented" if behaviour_id == "version.missing" \
            else "pass"
        results.append(behaviour(behaviour_id, status, f"{status} in {version}" if status != "pass" else ""))
    for result in results:
        result["code"] = f"def _(t, ctx):  # {result['id']}\n    return t.ones(1)\n"
    return {"run": {"torch_version": version, "torch_source": "recording", "implementation": "broken_impl",
                    "date": "2026-01-01"}, "results": results}


def test_four_runs_each_run_has_its_details_and_filter_counts(browser, tmp_path):
    runs = [run_of("2.10.0", set(FAILING)), run_of("2.11.0", {"basics.first"}),
            run_of("2.12.0", set(FAILING) | {"basics.second", "graph.works"}),
            run_of("2.13.0", set(), without={"graph.works"})]
    opened = Page(browser, render.write_html(runs, tmp_path / "four.html").as_uri())
    try:
        set_window(opened)
        assert opened.evaluate("document.querySelectorAll('#run option').length") == 4
        fail_count = "document.querySelector(\"button[data-filter='fail'] .n\").textContent"
        counts = []
        for index in range(4):
            opened.evaluate(f"(() => {{ const s = document.getElementById('run'); s.value = '{index}';"
                            f" s.dispatchEvent(new Event('change')); }})()")
            counts.append(int(opened.evaluate(fail_count)))
            opened.click("button[data-filter='fail']")
            shown = sorted(opened.visible_behaviours())
            expected = sorted(result["id"] for result in runs[index]["results"] if result["status"] == "fail")
            assert shown == expected, index
            messages = visible(opened, "tbody.behaviour pre.message")
            assert all(message.endswith(runs[index]["run"]["torch_version"]) for message in messages), messages
            opened.click("button[data-filter='all']")
            assert len(opened.visible_behaviours()) == len(runs[index]["results"])
        assert counts == [2, 1, 4, 0]
        assert opened.evaluate("document.querySelector('#toc .toc-counts[data-category=graph]').textContent"
                               ".replace(/\\s+/g, ' ')") == "1 · 1 / 1"  # run 4 has no graph.works
        assert "1 missing from some runs" in opened.evaluate("document.getElementById('matrix').textContent")
        sizes = page_fits(opened)
        assert sizes["page"] <= sizes["window"] and sizes["summary"] <= 1400, sizes
        assert opened.events("Runtime.exceptionThrown") == []
    finally:
        opened.close()


def test_sixteen_runs_the_summary_has_a_row_per_run_and_fits_1400px(browser, tmp_path):
    runs = [run_of(version, set(FAILING) if index % 2 else set()) for index, version in enumerate(RELEASES[:16])]
    opened = Page(browser, render.write_html(runs, tmp_path / "sixteen.html").as_uri())
    try:
        set_window(opened)
        assert opened.evaluate("document.querySelectorAll('table.summary tr.run-row').length") == 16
        sizes = page_fits(opened)
        assert sizes["summary"] <= 1400 and sizes["page"] <= sizes["window"], sizes
        assert opened.evaluate("document.querySelector('table.summary').getBoundingClientRect().height") < 1000
        opened.evaluate("(() => { const s = document.getElementById('run'); s.value = '15';"
                        " s.dispatchEvent(new Event('change')); })()")
        assert opened.evaluate("document.querySelector(\"button[data-filter='fail'] .n\").textContent") == "2"
        assert opened.evaluate("document.getElementById('run-label').textContent") == \
            "torch 2.14.1 (recorded) / broken_impl"  # the 16th, oldest first
        assert opened.events("Runtime.exceptionThrown") == []
    finally:
        opened.close()
