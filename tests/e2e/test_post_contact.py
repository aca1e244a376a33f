"""The post form and contact protection: the API's refusal names the field and the span,
and the form selects that span and shows it; a city that is no place name is caught before
anything is sent."""

from __future__ import annotations

from playwright.async_api import expect

CLIENT = 9301
PHONE = "+7 999 123-45-67"
DESCRIPTION = f"  Течёт кран 🚰 на кухне, звоните {PHONE} после обеда"


async def fill(app, *, description: str, city: str) -> None:
    page = app.page
    await app.go("post")
    await page.locator("select[name=category]").select_option("plumbing")
    await page.locator("textarea[name=description]").fill(description)
    await page.locator("input[name=city]").fill(city)
    await page.locator("input[name=contact]").fill("+7 900 000-00-00")


async def test_the_offending_span_is_selected_and_shown(open_user):
    client = await open_user(CLIENT, first_name="Алиса", language_code="ru")
    await client.open()

    await fill(client, description=DESCRIPTION, city="Москва 2")
    await client.main_button().click()
    await expect(client.page.get_by_text("Только название: буквы")).to_be_visible()

    await client.page.locator("input[name=city]").fill("Москва")
    await client.main_button().click()
    textarea = client.page.locator("textarea[name=description]")
    await expect(client.page.locator(".contact-span")).to_have_text(PHONE)
    await expect(client.page.get_by_text("В тексте есть контакт")).to_be_visible()
    await expect(textarea).to_be_focused()
    selected = await textarea.evaluate("(el) => el.value.slice(el.selectionStart, el.selectionEnd)")
    assert selected == PHONE
    await expect(client.page.locator("html")).to_have_attribute("data-screen", "post")
    await client.screenshot("post-contact-refused")
