"""Profil in a real browser: reached from the user menu; the e-mail address is saved (and shown on Benutzer);
the language switch changes the page and `<html lang>`."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

from tests.ui.conftest import SUPERADMIN, login, shot


def open_profile(page: Page) -> None:
    page.get_by_test_id("user-menu").click()
    page.get_by_test_id("menu-profile").click()


def test_profile_saves_the_email_and_switches_the_language(page: Page) -> None:
    login(page, *SUPERADMIN)
    expect(page.locator("html")).to_have_attribute("lang", "de")
    open_profile(page)
    expect(page.get_by_test_id("page-title")).to_have_text("Profil")
    email = page.get_by_test_id("profile-email")
    email.fill("kein-at-zeichen")
    page.get_by_test_id("profile-save").click()
    expect(page.get_by_text("keine gültige E-Mail-Adresse")).to_be_visible()
    email.fill("it@schule.example")
    page.get_by_test_id("profile-save").click()
    expect(page.get_by_text("Profil gespeichert")).to_be_visible()
    page.reload()
    expect(page.get_by_test_id("profile-email")).to_have_value("it@schule.example")
    shot(page, "profile")

    page.get_by_test_id("nav-users").click()
    row = page.get_by_test_id("users-table").locator("tr", has_text="superadmin (Sie)")
    expect(row).to_contain_text("it@schule.example")

    open_profile(page)
    page.get_by_test_id("profile-language").get_by_text("English").click()
    expect(page.get_by_test_id("page-title")).to_have_text("Profile")
    expect(page.locator("html")).to_have_attribute("lang", re.compile(r"^en\b"))
    expect(page.get_by_test_id("nav-audit")).to_contain_text("Audit log")
    page.get_by_test_id("profile-language").get_by_text("Deutsch").click()
    expect(page.get_by_test_id("page-title")).to_have_text("Profil")
    expect(page.locator("html")).to_have_attribute("lang", "de")
