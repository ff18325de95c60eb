"""Open an HTML file in headless Chromium with the network blocked, over the DevTools Protocol.

Reusable by any test:

    from browser import check_in_browser, require_chromium
    result = check_in_browser(html_path, tmp_path / "shot.png")
    assert result["failed_requests"] == [] and all(w > 0 for w in result["images"])

Many pages in one browser, every table measured (tests/test_tables_fit.py):

    with Browser() as browser:
        browser.load(html_path, width=390, mobile=True)   # or width=A4_CONTENT_WIDTH, media="print"
        tables = browser.tables()["tables"]
        runs = pdf_text_runs(browser.print_pdf(tmp_path / "page.pdf"))

Only the standard library and ``websocket-client`` (installed with jupyter_server, which jupyterlab depends on) are
used, and pypdf (a test extra) to read a printed PDF; no Playwright, no driver download.

Network: every request the page makes is paused with ``Fetch.enable`` and failed unless it is a
``file:`` or ``data:`` URL; as a second layer Chromium runs with ``--proxy-server=127.0.0.1:9``
(nothing listens there), so anything not intercepted cannot leave the machine either.
"""
from __future__ import annotations

import base64
import json
import os
import shutil
import subprocess
import tempfile
import time
from pathlib import Path
from typing import Any

CHROMIUM_CANDIDATES = ("/usr/bin/chromium", "chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
LOCAL_SCHEMES = ("data:", "file:", "about:", "blob:", "devtools:", "chrome:", "chrome-extension:")


def find_chromium() -> str | None:
    """The Chromium executable: $CHROMIUM if set, else the first candidate on this machine."""
    explicit = os.environ.get("CHROMIUM")
    if explicit:
        return explicit if Path(explicit).exists() or shutil.which(explicit) else None
    for candidate in CHROMIUM_CANDIDATES:
        found = candidate if Path(candidate).is_absolute() and Path(candidate).exists() else shutil.which(candidate)
        if found:
            return found
    return None


def require_chromium() -> str:
    """Chromium's path; skip the test when missing, but fail when CI=true (CI must run it)."""
    from conftest import missing_tool

    try:
        import websocket  # noqa: F401
    except ImportError:
        missing_tool("缺少 websocket-client（jupyter_server 的依赖），无法驱动浏览器")
    path = find_chromium()
    if path is None:
        missing_tool("找不到 Chromium（/usr/bin/chromium）；Debian/Ubuntu 上安装：apt-get install -y chromium")
    return path


class _DevTools:
    """Minimal CDP client on one browser websocket with flattened target sessions."""

    def __init__(self, ws_url: str, timeout: float) -> None:
        import websocket

        self.ws = websocket.create_connection(ws_url, timeout=timeout, suppress_origin=True)
        self.next_id = 0
        self.handlers: dict[str, Any] = {}
        self.events: list[dict] = []

    def post(self, method: str, params: dict | None = None, session: str | None = None) -> int:
        self.next_id += 1
        message: dict[str, Any] = {"id": self.next_id, "method": method, "params": params or {}}
        if session:
            message["sessionId"] = session
        self.ws.send(json.dumps(message))
        return self.next_id

    def call(self, method: str, params: dict | None = None, session: str | None = None, timeout: float = 30) -> dict:
        wanted = self.post(method, params, session)
        deadline = time.monotonic() + timeout
        while True:
            message = self._receive(deadline, f"{method} 无响应")
            if message.get("id") == wanted:
                if "error" in message:
                    raise RuntimeError(f"CDP {method} 失败：{message['error']}")
                return message.get("result", {})

    def wait_for(self, method: str, timeout: float) -> dict:
        """Process events until ``method`` arrives (events already seen count too)."""
        for event in self.events:
            if event["method"] == method:
                return event
        deadline = time.monotonic() + timeout
        while True:
            message = self._receive(deadline, f"等待 {method} 超时")
            if message.get("method") == method:
                return message

    def pump(self, seconds: float) -> None:
        """Process events for a little while (late requests, console messages)."""
        import websocket

        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            try:
                self._receive(deadline, "")
            except (TimeoutError, websocket.WebSocketTimeoutException):
                return

    def _receive(self, deadline: float, what: str) -> dict:
        import websocket

        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise TimeoutError(what)
        self.ws.settimeout(remaining)
        try:
            message = json.loads(self.ws.recv())
        except websocket.WebSocketTimeoutException as exc:
            raise TimeoutError(what) from exc
        if "method" in message:
            self.events.append(message)
            handler = self.handlers.get(message["method"])
            if handler is not None:
                handler(message.get("params", {}), message.get("sessionId"))
        return message

    def close(self) -> None:
        try:
            self.ws.close()
        except Exception:  # noqa: BLE001
            pass


def _launch(chromium: str, profile: Path, timeout: float) -> tuple[subprocess.Popen, str]:
    args = [
        chromium,
        "--headless",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--no-default-browser-check",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--disable-extensions",
        "--disable-default-apps",
        "--mute-audio",
        "--hide-scrollbars",
        "--proxy-server=127.0.0.1:9",
        "--proxy-bypass-list=<-loopback>",
        "--remote-debugging-port=0",
        f"--user-data-dir={profile}",
        "about:blank",
    ]
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        args.insert(1, "--no-sandbox")  # Chromium refuses to start as root with the sandbox
    log = open(profile.parent / "chromium.log", "wb")  # noqa: SIM115 - closed with the process
    process = subprocess.Popen(args, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
    log.close()
    port_file = profile / "DevToolsActivePort"
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            tail = (profile.parent / "chromium.log").read_text(errors="replace")[-2000:]
            raise RuntimeError(f"Chromium 启动失败（退出码 {process.returncode}）：\n{tail}")
        if port_file.exists():
            lines = port_file.read_text().split()
            if len(lines) >= 2:
                return process, f"ws://127.0.0.1:{lines[0]}{lines[1]}"
        time.sleep(0.05)
    process.kill()
    raise RuntimeError("Chromium 没有写出 DevToolsActivePort")


_PAGE_STATE_JS = """
(async () => {
  const images = Array.from(document.images);
  await Promise.all(images.map(img => img.decode().catch(() => null)));
  if (document.fonts && document.fonts.ready) { await document.fonts.ready; }
  return {
    title: document.title,
    lang: document.documentElement.lang,
    headings: Array.from(document.querySelectorAll('h1, h2, h3')).map(h => h.textContent.trim()),
    scripts: document.scripts.length,
    images: images.map(img => ({
      src: img.currentSrc.slice(0, 40),
      complete: img.complete,
      naturalWidth: img.naturalWidth,
      naturalHeight: img.naturalHeight,
    })),
    width: document.documentElement.scrollWidth,
    height: document.documentElement.scrollHeight,
    viewport: document.documentElement.clientWidth,
    // Elements that reach past the right edge of the screen, unless a box that scrolls sideways holds them.
    overflowing: Array.from(document.querySelectorAll('body *')).filter(el => {
      const r = el.getBoundingClientRect();
      if (!r.width || r.right <= document.documentElement.clientWidth + 1) { return false; }
      for (let p = el.parentElement; p && p !== document.body; p = p.parentElement) {
        if (['auto', 'scroll'].includes(getComputedStyle(p).overflowX)) { return false; }
      }
      return true;
    }).slice(0, 20).map(el => `${el.tagName.toLowerCase()}.${el.className} right=${Math.round(el.getBoundingClientRect().right)}`),
    // Table cells squeezed so narrow that Chinese text stands one character per line.
    squeezed: Array.from(document.querySelectorAll('td, th')).filter(el => {
      const size = parseFloat(getComputedStyle(el).fontSize);
      return el.textContent.trim().length >= 3 && el.getBoundingClientRect().width < 2.2 * size;
    }).slice(0, 20).map(el => el.textContent.trim().slice(0, 20)),
  };
})()
"""


def check_in_browser(
    html_path: str | os.PathLike[str],
    screenshot_path: str | os.PathLike[str],
    *,
    pdf_path: str | os.PathLike[str] | None = None,
    width: int = 1000,
    height: int = 800,
    mobile: bool = False,
    timeout: float = 30.0,
    chromium: str | None = None,
) -> dict[str, Any]:
    """Load ``html_path`` in headless Chromium with the network blocked; screenshot the page.

    Returns a dict:
      failed_requests  [{url, error}] every request that failed (blocked external ones included)
      blocked_requests [url] requests to anything but file:/data: (all of them were refused)
      external_requests [url] every non-local URL the page asked for (Network.requestWillBeSent)
      images           [naturalWidth] of every <img>, after decoding (0 = broken)
      image_details    [{src, complete, naturalWidth, naturalHeight}]
      console_errors   [text] console.error calls, uncaught exceptions and browser log errors
      title, lang, headings, scripts (number of <script> elements)
      screenshot       path of the full-page PNG; pdf_pages (if pdf_path was given: A4 print)
      viewport, width  the screen's width and the page's (wider: the page scrolls sideways)
      overflowing      elements past the screen's right edge that no sideways-scrolling box holds
      squeezed         table cells so narrow that their text stands one character per line
    """
    html = Path(html_path).resolve()
    shot = Path(screenshot_path)
    chromium = chromium or find_chromium()
    if chromium is None:
        raise RuntimeError("找不到 Chromium")
    scratch = Path(tempfile.mkdtemp(prefix="briefing-browser-"))
    profile = scratch / "profile"
    profile.mkdir()
    process, ws_url = _launch(chromium, profile, timeout)
    cdp: _DevTools | None = None
    urls: dict[str, str] = {}
    blocked: list[str] = []
    failed: list[dict[str, str]] = []
    console: list[str] = []
    try:
        cdp = _DevTools(ws_url, timeout)
        target = cdp.call("Target.createTarget", {"url": "about:blank"})["targetId"]
        session = cdp.call("Target.attachToTarget", {"targetId": target, "flatten": True})["sessionId"]

        def on_paused(params: dict, sid: str | None) -> None:
            url = params["request"]["url"]
            if url.startswith(("file:", "data:")):
                cdp.post("Fetch.continueRequest", {"requestId": params["requestId"]}, sid)
            else:
                blocked.append(url)
                cdp.post("Fetch.failRequest", {"requestId": params["requestId"], "errorReason": "BlockedByClient"}, sid)

        def on_request(params: dict, sid: str | None) -> None:
            urls[params["requestId"]] = params["request"]["url"]

        def on_failed(params: dict, sid: str | None) -> None:
            url = urls.get(params["requestId"], "?")
            failed.append({"url": url[:200], "error": params.get("errorText", "")})

        def on_console(params: dict, sid: str | None) -> None:
            if params.get("type") in ("error", "assert"):
                console.append(" ".join(str(a.get("value", a.get("description", ""))) for a in params.get("args", [])))

        def on_exception(params: dict, sid: str | None) -> None:
            details = params.get("exceptionDetails", {})
            console.append(details.get("exception", {}).get("description") or details.get("text", "exception"))

        def on_log(params: dict, sid: str | None) -> None:
            entry = params.get("entry", {})
            if entry.get("level") == "error":
                console.append(f"{entry.get('source')}: {entry.get('text')} {entry.get('url', '')}".strip())

        cdp.handlers.update(
            {
                "Fetch.requestPaused": on_paused,
                "Network.requestWillBeSent": on_request,
                "Network.loadingFailed": on_failed,
                "Runtime.consoleAPICalled": on_console,
                "Runtime.exceptionThrown": on_exception,
                "Log.entryAdded": on_log,
            }
        )
        cdp.call("Fetch.enable", {"patterns": [{"urlPattern": "*"}]}, session)
        for domain in ("Network", "Page", "Runtime", "Log"):
            cdp.call(f"{domain}.enable", {}, session)
        cdp.call(
            "Emulation.setDeviceMetricsOverride",
            {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": mobile},
            session,
        )
        cdp.events.clear()
        cdp.call("Page.navigate", {"url": html.as_uri()}, session)
        cdp.wait_for("Page.loadEventFired", timeout)
        state = cdp.call(
            "Runtime.evaluate",
            {"expression": _PAGE_STATE_JS, "awaitPromise": True, "returnByValue": True},
            session,
            timeout,
        )["result"]["value"]
        cdp.pump(0.3)

        full = max(int(state["height"]), 200)
        cdp.call(
            "Emulation.setDeviceMetricsOverride",
            {"width": width, "height": full, "deviceScaleFactor": 1, "mobile": mobile},
            session,
        )
        png = cdp.call("Page.captureScreenshot", {"format": "png", "captureBeyondViewport": True}, session, timeout)
        shot.parent.mkdir(parents=True, exist_ok=True)
        shot.write_bytes(base64.b64decode(png["data"]))

        pdf_pages = None
        if pdf_path is not None:
            pdf = base64.b64decode(
                cdp.call("Page.printToPDF", {"preferCSSPageSize": True, "printBackground": True}, session, timeout)[
                    "data"
                ]
            )
            Path(pdf_path).write_bytes(pdf)
            pdf_pages = pdf.count(b"/Type /Page") - pdf.count(b"/Type /Pages")
        cdp.pump(0.1)
        try:
            cdp.post("Browser.close")
        except Exception:  # noqa: BLE001
            pass
    finally:
        if cdp is not None:
            cdp.close()
        try:
            process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=5)
        shutil.rmtree(scratch, ignore_errors=True)

    return {
        "failed_requests": failed,
        "blocked_requests": blocked,
        "external_requests": [u[:200] for u in urls.values() if not u.startswith(LOCAL_SCHEMES)],
        "images": [image["naturalWidth"] for image in state["images"]],
        "image_details": state["images"],
        "console_errors": console,
        "title": state["title"],
        "lang": state["lang"],
        "headings": state["headings"],
        "scripts": state["scripts"],
        "screenshot": str(shot),
        "pdf_pages": pdf_pages,
        "viewport": state["viewport"],
        "width": state["width"],
        "overflowing": state["overflowing"],
        "squeezed": state["squeezed"],
    }


# ---------------------------------------------------------------- one browser for many pages: tables measured

# A4 with the stylesheet's @page margins (16 mm left and right): the width a printed page lays out in, in CSS px.
A4_CONTENT_WIDTH = int((210 - 2 * 16) / 25.4 * 96)  # 672
PRINT_MIN_PT = 9.0  # printed text smaller than this (Chromium shrinks a page wider than the paper) is too small

_TABLES_JS = """
(async () => {
  if (document.fonts && document.fonts.ready) { await document.fonts.ready; }
  // Scroll-driven animations (the hint's) take their state at the next frames.
  const frames = () => new Promise(done => requestAnimationFrame(() => requestAnimationFrame(done)));
  await frames();
  const root = document.documentElement;
  const px = v => parseFloat(v) || 0;
  const WRAPPERS = '.table-box, .table-wrap, .table-inner';
  const shown = el => el.checkVisibility({visibilityProperty: true, opacityProperty: true});
  const tables = Array.from(document.querySelectorAll('table'));
  const results = [];
  for (const table of tables) {
    table.scrollIntoView({block: 'start'});
    // The box the table lives in: the nearest ancestor that is not a wrapper made for this table alone.
    let outer = table, container = table.parentElement;
    while (container && container.matches(WRAPPERS)) { outer = container; container = container.parentElement; }
    const cs = getComputedStyle(container);
    const cr = container.getBoundingClientRect();
    const left = cr.left + px(cs.borderLeftWidth) + px(cs.paddingLeft);
    const available = container.clientWidth - px(cs.paddingLeft) - px(cs.paddingRight);
    // What can be seen of the table without scrolling anything: the screen, cut by every box that clips.
    let seenLeft = 0, seenRight = root.clientWidth, scrollBox = null;
    for (let p = table.parentElement; p && p !== document.body && p !== root; p = p.parentElement) {
      const s = getComputedStyle(p);
      if (s.overflowX !== 'visible') {
        const r = p.getBoundingClientRect();
        seenLeft = Math.max(seenLeft, r.left + p.clientLeft);
        seenRight = Math.min(seenRight, r.left + p.clientLeft + p.clientWidth);
        if (!scrollBox && ['auto', 'scroll'].includes(s.overflowX)) { scrollBox = p; }
      }
    }
    const rect = table.getBoundingClientRect();
    const headRows = table.tHead ? table.tHead.rows : [];
    const header = Array.from(headRows.length ? headRows[headRows.length - 1].cells : (table.rows[0] || {cells: []}).cells);
    const columns = header.map(cell => {
      const r = cell.getBoundingClientRect();
      return {text: cell.textContent.trim(), left: r.left, right: r.right, width: r.width,
              seen: r.width > 0 && r.left >= seenLeft - 1 && r.right <= seenRight + 1};
    });
    // Each column's longest text, to find a column squeezed by its neighbours.
    const longest = header.map(() => 0);
    for (const row of Array.from(table.tBodies).flatMap(b => Array.from(b.rows))) {
      Array.from(row.cells).forEach((cell, i) => {
        if (i < longest.length) { longest[i] = Math.max(longest[i], cell.textContent.trim().length); }
      });
    }
    const cells = Array.from(table.querySelectorAll('th, td'));
    const fontPx = cells.length ? Math.min(...cells.map(c => px(getComputedStyle(c).fontSize))) : null;
    const scrolls = !!scrollBox && scrollBox.scrollWidth > scrollBox.clientWidth + 1;
    // A hint that the table scrolls sideways: shown, on screen, and not covered by anything.
    let hint = null;
    const hintEl = outer.querySelector('.table-hint');
    if (hintEl) { hintEl.scrollIntoView({block: 'center'}); await frames(); }
    if (hintEl && shown(hintEl)) {
      const r = hintEl.getBoundingClientRect();
      const x = r.left + Math.min(r.width / 2, 20), y = r.top + r.height / 2;
      const top = r.width && r.height ? document.elementFromPoint(x, y) : null;
      const visible = !!top && (top === hintEl || hintEl.contains(top)) && r.left >= 0 && r.right <= root.clientWidth + 1;
      hint = {text: hintEl.textContent.trim(), visible};
    }
    results.push({
      id: table.id || '', heading: (header.map(c => c.textContent.trim()).join('|')).slice(0, 80),
      width: Math.round(rect.width), available: Math.round(available),
      past_container: Math.round(rect.right - (left + available)),
      hidden: columns.filter(c => !c.seen).map(c => c.text),
      columns: columns.map((c, i) => ({text: c.text, width: Math.round(c.width), longest: longest[i], seen: c.seen})),
      scrolls, hint, font_px: fontPx,
      font_size: px(getComputedStyle(table).fontSize),
    });
  }
  window.scrollTo(0, 0);
  return {viewport: root.clientWidth, page_width: root.scrollWidth, tables: results};
})()
"""


class Browser:
    """One headless Chromium for many page loads, with the network blocked as in check_in_browser:

        with Browser() as browser:
            browser.load(page, width=390, mobile=True)
            tables = browser.tables()
    """

    def __init__(self, chromium: str | None = None, timeout: float = 30.0) -> None:
        self.chromium = chromium or find_chromium()
        if self.chromium is None:
            raise RuntimeError("找不到 Chromium")
        self.timeout = timeout
        self.blocked: list[str] = []

    def __enter__(self) -> Browser:
        self.scratch = Path(tempfile.mkdtemp(prefix="briefing-browser-"))
        profile = self.scratch / "profile"
        profile.mkdir()
        self.process, ws_url = _launch(self.chromium, profile, self.timeout)
        try:
            self.cdp = _DevTools(ws_url, self.timeout)
            target = self.cdp.call("Target.createTarget", {"url": "about:blank"})["targetId"]
            self.session = self.cdp.call("Target.attachToTarget", {"targetId": target, "flatten": True})["sessionId"]

            def on_paused(params: dict, sid: str | None) -> None:
                if params["request"]["url"].startswith(("file:", "data:")):
                    self.cdp.post("Fetch.continueRequest", {"requestId": params["requestId"]}, sid)
                else:
                    self.blocked.append(params["request"]["url"])
                    self.cdp.post("Fetch.failRequest", {"requestId": params["requestId"], "errorReason": "BlockedByClient"},
                                  sid)

            self.cdp.handlers["Fetch.requestPaused"] = on_paused
            self.cdp.call("Fetch.enable", {"patterns": [{"urlPattern": "*"}]}, self.session)
            for domain in ("Page", "Runtime"):
                self.cdp.call(f"{domain}.enable", {}, self.session)
        except BaseException:
            self.__exit__(None, None, None)
            raise
        return self

    def __exit__(self, *exc: object) -> None:
        cdp = getattr(self, "cdp", None)
        if cdp is not None:
            try:
                cdp.post("Browser.close")
            except Exception:  # noqa: BLE001
                pass
            cdp.close()
        try:
            self.process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=5)
        shutil.rmtree(self.scratch, ignore_errors=True)

    def _call(self, method: str, params: dict | None = None) -> dict:
        return self.cdp.call(method, params, self.session, self.timeout)

    def load(self, html_path: str | os.PathLike[str], *, width: int, height: int = 800, mobile: bool = False,
             media: str = "") -> None:
        """Open the page at this screen size; media="print" lays it out as printed (at `width`, e.g.
        A4_CONTENT_WIDTH)."""
        self._call("Emulation.setDeviceMetricsOverride",
                   {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": mobile})
        self._call("Emulation.setEmulatedMedia", {"media": media})
        self.cdp.events.clear()
        self._call("Page.navigate", {"url": Path(html_path).resolve().as_uri()})
        self.cdp.wait_for("Page.loadEventFired", self.timeout)

    def evaluate(self, expression: str) -> Any:
        result = self._call("Runtime.evaluate", {"expression": expression, "awaitPromise": True, "returnByValue": True})
        if "exceptionDetails" in result:
            raise RuntimeError(f"页面脚本出错：{result['exceptionDetails']}")
        return result["result"]["value"]

    def tables(self) -> dict[str, Any]:
        """Every <table> of the loaded page, as laid out now:
          viewport, page_width   the screen's width and the page's
          tables [{id, heading, width, available (the width of the box the table is in), past_container (px the
                  table reaches past that box; > 0: too wide), hidden [header texts of columns that cannot be seen
                  without scrolling: past the screen or cut by a box], columns [{text, width, longest (characters
                  of the longest cell), seen}], scrolls (its box scrolls sideways), hint ({text, visible}: the
                  .table-hint next to it, visible = on screen and not covered; None if not shown), font_px
                  (smallest cell text), font_size}]"""
        return self.evaluate(_TABLES_JS)

    def print_pdf(self, pdf_path: str | os.PathLike[str]) -> Path:
        """Print the loaded page as Chromium prints it (the stylesheet's @page: A4)."""
        self._call("Emulation.setEmulatedMedia", {"media": ""})
        data = self._call("Page.printToPDF", {"preferCSSPageSize": True, "printBackground": True})["data"]
        path = Path(pdf_path)
        path.write_bytes(base64.b64decode(data))
        return path


def pdf_text_runs(pdf: str | os.PathLike[str]) -> list[dict[str, Any]]:
    """Every piece of text drawn in a PDF: {page, text, size (points, as printed), x, y (points from the page's
    lower left), page_width}. Uses pypdf."""
    from pypdf import PdfReader

    runs: list[dict[str, Any]] = []
    for number, page in enumerate(PdfReader(str(pdf)).pages, start=1):
        page_width = float(page.mediabox.width)

        def visit(text, cm, tm, font, size, number=number, page_width=page_width):
            if not text.strip():
                return
            # The text matrix times the current transformation: its vertical scale is the size the text prints at.
            a, b, c, d = tm[0] * cm[0] + tm[1] * cm[2], tm[0] * cm[1] + tm[1] * cm[3], \
                tm[2] * cm[0] + tm[3] * cm[2], tm[2] * cm[1] + tm[3] * cm[3]
            scale = (abs(a * d - b * c)) ** 0.5
            x = tm[4] * cm[0] + tm[5] * cm[2] + cm[4]
            y = tm[4] * cm[1] + tm[5] * cm[3] + cm[5]
            runs.append({"page": number, "text": text.strip(), "size": round(size * scale, 2), "x": round(x, 1),
                         "y": round(y, 1), "page_width": page_width})

        page.extract_text(visitor_text=visit)
    return runs
