"""The web studio in a real browser: Debian's Chromium, driven by Playwright, against the embedded stack.

A user registers in the page, is told next to the field that a resolution is wrong, makes a short video from a
two-line script, watches its progress reach 100 % over the WebSocket (dropped once on purpose: the page must
reconnect and resume), plays the result, repaints a scene and sees version 2, finds the video in the library
and deletes it, and makes an API key and a webhook. With REELFORGE_STUDIO_SCREENSHOTS=1 it also writes the
README's screenshots to docs/images/studio-*.png.
"""

import io
import os
import re
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
from PIL import Image
from playwright.async_api import Browser, Page, WebSocketRoute, async_playwright, expect

from tests.stack import REPO, EmbeddedStack

CHROMIUM = Path("/usr/bin/chromium")
"""Debian's chromium (`make test` installs it); Playwright's own browser download is never used."""
pytestmark = pytest.mark.e2e

CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--autoplay-policy=no-user-gesture-required",
]
SCRIPT = "A lantern glows on the quiet harbour.\nThe fishing boats come home at dawn."
SCREENSHOTS = REPO / "docs" / "images"
JOB_TIMEOUT_MS = 120_000
PHONE = {"width": 390, "height": 844}
SEEK_TO_A_FRAME = """video => new Promise(resolve => {
    video.pause();
    video.addEventListener("seeked", resolve, { once: true });
    video.currentTime = 1.0;
}).then(() => video.readyState >= 3 || new Promise(ok => video.addEventListener("canplay", ok, { once: true })))"""


def png() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (64, 96), (40, 90, 200)).save(buffer, "PNG")
    return buffer.getvalue()


def screenshots_wanted() -> bool:
    return os.environ.get("REELFORGE_STUDIO_SCREENSHOTS", "") not in ("", "0")


async def screenshot(page: Page, name: str) -> None:
    if screenshots_wanted():
        await page.screenshot(path=str(SCREENSHOTS / f"studio-{name}.png"), full_page=True)


@pytest.fixture
async def browser() -> AsyncIterator[Browser]:
    async with async_playwright() as driver:
        launched = await driver.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield launched
        finally:
            await launched.close()


def test_the_studio_is_served_with_a_strict_policy_and_leaves_the_api_alone(stack: EmbeddedStack) -> None:
    with httpx.Client(base_url=stack.base_url, timeout=30) as client:
        for path in ("/", "/studio"):
            page = client.get(path)
            assert page.status_code == 200 and page.headers["content-type"] == "text/html; charset=utf-8"
            policy = page.headers["content-security-policy"]
            assert "default-src 'self'" in policy and "script-src 'self'" in policy and "unsafe" not in policy
            assert page.headers["x-content-type-options"] == "nosniff"
        assert client.get("/studio/assets/js/main.js").headers["content-type"] == "text/javascript; charset=utf-8"
        assert client.get("/studio/assets/studio.css").headers["content-type"] == "text/css; charset=utf-8"
        assert client.get("/studio/assets/../routes/studio.py").status_code == 404
        assert client.get("/studio/assets/%2e%2e/index.html").status_code == 404
        schema = client.get("/openapi.json").json()
        assert not [path for path in schema["paths"] if not path.startswith("/api/v1/")]
        assert client.get("/docs").status_code == 200
        assert client.get("/healthz").json()["status"] == "ok"
        assert client.get("/api/v1/nowhere").json()["detail"]
        assert client.get("/compat/storyboard/nowhere").status_code == 404


async def test_a_user_makes_watches_repaints_and_deletes_a_video_in_the_browser(
    stack: EmbeddedStack, browser: Browser
) -> None:
    context = await browser.new_context(viewport={"width": 1280, "height": 860})
    page = await context.new_page()
    problems: list[str] = []
    page.on("pageerror", lambda error: problems.append(f"uncaught: {error}"))
    page.on(
        "console",
        lambda message: (
            problems.append(message.text)
            if message.type == "error" and "Content Security Policy" in message.text
            else None
        ),
    )
    page.on("dialog", lambda dialog: dialog.accept())
    sockets: list[str] = []

    async def drop_the_first_socket(route: WebSocketRoute) -> None:
        """Pass every progress socket through, but cut the first one after its first message."""
        sockets.append(route.url)
        server = route.connect_to_server()
        if len(sockets) > 1:
            return
        forwarded = 0

        async def forward(message: str | bytes) -> None:
            nonlocal forwarded
            forwarded += 1
            route.send(message)
            if forwarded == 1:
                await route.close(code=4000, reason="dropped by the test")
                await server.close()

        server.on_message(forward)

    await page.route_web_socket(re.compile(r".*/api/v1/jobs/[^/]+/events$"), drop_the_first_socket)

    # Register in the page
    await page.goto(f"{stack.base_url}/")
    await page.get_by_role("tab", name="Create an account").click()
    register = page.locator("#register-form")
    await register.get_by_label("Email").fill("studio_ada@example.com")
    await register.get_by_label("Username").fill("studio_ada")
    await register.get_by_label("Password").fill("short")
    await register.get_by_role("button", name="Create the account").click()
    await expect(register.locator('[data-error-for="password"]')).to_contain_text("8")
    await register.get_by_label("Password").fill("correct horse battery")
    await register.get_by_role("button", name="Create the account").click()
    await expect(page.locator("#view-new")).to_be_visible()

    # A bad field is named next to it, and nothing is created
    form = page.locator("#create-form")
    await form.get_by_label("Script", exact=True).check()
    await form.locator('textarea[name="script"]').fill(SCRIPT)
    await form.get_by_label("Quality").select_option("draft")
    await form.get_by_label("Frames per second").select_option("24")
    await form.get_by_label("Resolution").fill("7x7")
    await page.get_by_role("button", name="Create the video").click()
    resolution_error = form.locator('[data-error-for="resolution"]')
    await expect(resolution_error).to_contain_text("1080x1920")
    await expect(form.get_by_label("Resolution")).to_have_attribute("aria-invalid", "true")
    assert "#/jobs/" not in page.url

    # An upload is checked by its content: a text file is refused next to the field, a PNG is shown
    image_input = form.locator('input[name="image"]')
    await image_input.set_input_files(files=[{"name": "a.png", "mimeType": "image/png", "buffer": b"not a picture"}])
    await expect(form.locator('[data-error-for="file"]')).to_contain_text("not a readable")
    await image_input.set_input_files(files=[{"name": "dot.png", "mimeType": "image/png", "buffer": png()}])
    await expect(page.locator("#upload-preview img")).to_have_attribute("src", re.compile(r"^blob:"))
    await expect(form.locator('[data-error-for="file"]')).to_be_empty()
    await page.get_by_role("button", name="Remove").click()
    await expect(page.locator("#upload-preview")).to_be_hidden()

    # A good one gets an estimate; the video is made and its progress followed live
    await form.get_by_label("Resolution").fill("256x448")
    await expect(resolution_error).to_be_empty()
    await expect(page.locator("#cost")).to_have_text(re.compile(r"^(free|\$\d+\.\d+)$"))
    await screenshot(page, "create")
    await page.get_by_role("button", name="Create the video").click()
    await page.wait_for_url(re.compile(r".*#/jobs/[0-9a-f-]{36}$"))
    job_id = page.url.rsplit("/", 1)[-1]
    overall = page.get_by_role("progressbar", name="Overall progress")
    await expect(page.locator(".scene img.thumb").first).to_be_visible(timeout=JOB_TIMEOUT_MS)  # painted as it goes
    await screenshot(page, "progress")
    await expect(overall).to_have_attribute("aria-valuenow", "100", timeout=JOB_TIMEOUT_MS)
    await expect(page.locator("#job-status")).to_have_text("Ready")
    assert len(sockets) >= 2, f"the page did not reconnect after its socket was dropped: {sockets}"
    assert all("token" not in url for url in sockets), "the token must not travel in the URL"
    for stage in ("story", "images", "audio", "render"):
        await expect(page.locator(f'.stage[data-stage="{stage}"]')).to_have_class(re.compile(r"\bdone\b"))

    # The scenes show their pictures, and the video plays from its signed URL
    scenes = page.locator(".scene")
    await expect(scenes).to_have_count(2)
    await expect(scenes.first.locator("img.thumb")).to_have_attribute("src", re.compile(r"^blob:"))
    player = page.locator("#player")
    await expect(player).to_have_attribute("src", re.compile(r"/api/v1/files/.*signature="))
    await player.evaluate("video => { video.muted = true; return video.play(); }")
    await page.wait_for_function("() => document.querySelector('#player').currentTime > 0.3", timeout=20_000)
    assert await page.locator("#download").get_attribute("href") == await player.get_attribute("src")
    await player.evaluate(SEEK_TO_A_FRAME)
    await screenshot(page, "result")

    # The same job on a phone: the page fits the screen
    phone = await browser.new_context(
        viewport=PHONE, is_mobile=True, has_touch=True, storage_state=await context.storage_state()
    )
    phone_page = await phone.new_page()
    await phone_page.goto(f"{stack.base_url}/studio#/jobs/{job_id}")
    await expect(phone_page.locator("#job-status")).to_have_text("Ready")
    await expect(phone_page.locator(".scene img.thumb")).to_have_count(2)
    assert await phone_page.evaluate("() => document.documentElement.scrollWidth") <= PHONE["width"]
    await phone_page.locator("#player").evaluate(SEEK_TO_A_FRAME)
    await screenshot(phone_page, "phone")
    await phone.close()

    # Repaint the first scene: a new picture, and the video rendered again as version 2
    first = scenes.first
    old_picture = await first.locator("img.thumb").get_attribute("src")
    await first.get_by_label("New prompt for scene 1").fill("a red lighthouse under the stars")
    await first.get_by_role("button", name="Regenerate picture").click()
    await expect(page.locator("#output-version")).to_contain_text("Version 2", timeout=JOB_TIMEOUT_MS)
    await expect(first).to_have_attribute("data-version", "2")
    assert await first.locator("img.thumb").get_attribute("src") != old_picture
    await expect(player).to_have_attribute("data-version", "2")
    async with httpx.AsyncClient(timeout=30) as client:
        served = await client.get(await player.get_attribute("src") or "", headers={"Range": "bytes=0-7"})
        assert served.status_code == 206 and served.content[4:8] == b"ftyp"

    # The library finds it by its words, and deletes it
    await page.get_by_role("link", name="Library").click()
    items = page.locator(".library-item")
    await expect(items).to_have_count(1)
    await page.get_by_label("Search").fill("harbour lantern")
    await expect(items).to_have_count(1)
    await page.get_by_label("Search").fill("no such words")
    await expect(items).to_have_count(0)
    await page.get_by_label("Search").fill("")
    await items.first.get_by_role("button", name="Delete").click()
    await expect(items).to_have_count(0)
    await expect(page.locator("#library-empty")).to_be_visible()

    # API keys and webhooks
    await page.get_by_role("link", name="Settings").click()
    await page.locator("#key-form").get_by_label("Name").fill("ci")
    await page.get_by_role("button", name="Create a key").click()
    await expect(page.locator("#new-key-value")).to_have_text(re.compile(r"^rfk_"))
    await expect(page.locator("#keys .row-item")).to_have_count(1)
    await page.locator("#keys .row-item").get_by_role("button", name="Revoke").click()
    await expect(page.locator("#keys .row-item")).to_have_count(0)
    webhook = page.locator("#webhook-form")
    await webhook.get_by_label("Endpoint URL").fill("ftp://example.com/hook")
    await webhook.get_by_role("button", name="Add the webhook").click()
    await expect(webhook.locator('[data-error-for="url"]')).not_to_be_empty()
    await webhook.get_by_label("Endpoint URL").fill("http://127.0.0.1:9/hook")
    await webhook.get_by_role("button", name="Add the webhook").click()
    await expect(page.locator("#new-secret-value")).to_have_text(re.compile(r"^whsec_"))
    await expect(page.locator("#webhooks .row-item.webhook")).to_have_count(1)

    assert problems == []
    await context.close()
