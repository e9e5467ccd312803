"""A backup, on a phone, by clicking only: the owner goes from the home page to Settings, then
"Back up this organization", mistypes the passphrase once, downloads the sealed archive, and
finds the download in the audit trail. The archive opens with the passphrase and holds the
organization; `handoff restore` brings it back beside the original."""

import re

import pytest
from playwright.sync_api import expect

from handoff.accounts.models import Organization
from handoff.core import backup
from tests.browser.conftest import OWNER, log_in, new_page, open_section

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSPHRASE = "a long and private passphrase"


def test_an_owner_downloads_a_sealed_backup_on_a_phone(browser, live_server, acme_books, tmp_path):
    phone = new_page(browser, live_server, width=390, height=844)
    log_in(phone, *OWNER)
    open_section(phone, "Settings")
    phone.get_by_role("link", name="Back up this organization").click()
    expect(phone.get_by_role("heading", name="Back up Acme Dental")).to_be_visible()

    phone.get_by_label("Passphrase (optional)").fill(PASSPHRASE)
    phone.get_by_label("Passphrase again").fill(PASSPHRASE + " typo")
    phone.get_by_role("button", name="Download backup").click()
    expect(phone.get_by_text("The two passphrases differ.")).to_be_visible()

    phone.get_by_label("Passphrase (optional)").fill(PASSPHRASE)
    phone.get_by_label("Passphrase again").fill(PASSPHRASE)
    with phone.expect_download() as download:
        phone.get_by_role("button", name="Download backup").click()
    assert re.fullmatch(r"handoff-acme-\d{4}-\d{2}-\d{2}\.enc", download.value.suggested_filename)
    saved = tmp_path / download.value.suggested_filename
    download.value.save_as(saved)

    phone.get_by_role("link", name="Organization settings").click()
    phone.get_by_role("link", name="Audit trail").click()
    expect(phone.get_by_text("Downloaded a backup of the organization (encrypted)")).to_be_visible()

    archive = backup.open_archive(saved.read_bytes(), PASSPHRASE)
    assert [o["slug"] for o in archive.manifest["organizations"]] == ["acme"]
    done = backup.restore(archive)
    assert done.slugs == {"acme": "acme-restored"}
    assert Organization.objects.filter(slug="acme-restored").exists()
