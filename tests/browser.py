"""Open an HTML file in headless Chromium with the network blocked, over the DevTools Protocol.

Reusable by any test:

    from browser import check_in_browser, require_chromium
    result = check_in_browser(html_path, tmp_path / "shot.png")
    assert result["failed_requests"] == [] and all(w > 0 for w in result["images"])

Only the standard library and ``websocket-client`` (installed with jupyter_server, which
jupyterlab depends on) are used; no Playwright, no driver download.

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
    import pytest

    try:
        import websocket  # noqa: F401
    except ImportError:
        reason = "缺少 websocket-client（jupyter_server 的依赖），无法驱动浏览器"
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(f"CI=true: {reason}")
        pytest.skip(reason)
    path = find_chromium()
    if path is None:
        reason = "找不到 Chromium（/usr/bin/chromium）；Debian/Ubuntu 上安装：apt-get install -y chromium"
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(f"CI=true 时浏览器测试必须运行：{reason}")
        pytest.skip(reason)
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
