"""Site profiles (parsers/profiles/*.toml): loading and validation, gold with and without the
profile, provenance of the overridden fields, fallback when a selector matches nothing."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import FIXTURES, REPO
from parsers.decode import decode_bytes
from parsers.html import extract_html
from parsers.profiles import (
    PROFILES_DIR, ProfileError, ProfileSet, default_profiles, load_profile, load_profiles,
)
from test_pages_gold import GOLD_FIELDS, expected_and_got

PAGES = FIXTURES / "pages"
NO_PROFILES = ProfileSet()
# Fixture page -> the profile its host selects and the fields that profile overrides.
PROFILED = {
    "lndj-original-51919": ("lndj.gov.cn", {"title", "published_at", "source_name", "authors.editor"}),
    "fanfu-repost-51919": ("ffclzx.cn", {"title", "published_at", "source_name"}),
    "lnd-epaper-fuxin": ("epaper.lnd.com.cn", {"title", "kicker", "published_at", "source_name",
                                               "authors.reporter"}),
}


def gold(stem: str) -> dict:
    return json.loads((PAGES / f"{stem}.json").read_text(encoding="utf-8"))


def extract(stem: str, profiles: ProfileSet | None = None, html: str | None = None):
    if html is None:
        html, _ = decode_bytes((PAGES / f"{stem}.html").read_bytes(), None)
    return extract_html(html, url=gold(stem)["url"], profiles=profiles)


def write_profile(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / f"{name}.toml"
    path.write_text(text, encoding="utf-8")
    return path


# --- loading and validation ------------------------------------------------------------------------

def test_every_shipped_profile_loads():
    profiles = default_profiles()
    names = {p.name for p in profiles.profiles}
    assert {"lndj.gov.cn", "ffclzx.cn", "epaper.lnd.com.cn"} <= names
    assert len(profiles) == len(list(PROFILES_DIR.glob("*.toml")))
    for profile in profiles.profiles:
        assert profile.selectors, f"{profile.name} overrides nothing"
        assert load_profile(profile.path) == profile  # its selectors compile too


def test_profiles_are_loaded_once_per_process():
    assert default_profiles() is default_profiles()
    assert load_profiles(PROFILES_DIR) is default_profiles()


@pytest.mark.parametrize("url, name", [
    ("https://www.lndj.gov.cn/portaluploads/html/site-5/info/51919.html", "lndj.gov.cn"),
    ("http://lndj.gov.cn/a.html", "lndj.gov.cn"),
    ("http://www.ffclzx.cn/fanfujishi/20241103/36257.html", "ffclzx.cn"),
    ("http://epaper.lnd.com.cn/html/2023-03/07/content_2318551.htm", "epaper.lnd.com.cn"),
    ("http://www.lnd.com.cn/news/1.html", None),       # another host of the same paper
    ("http://notlndj.gov.cn/a.html", None),            # a suffix, but not a subdomain
    ("http://127.0.0.1:8000/content/1.html", None),
    (None, None),
])
def test_profile_is_selected_by_host_suffix(url, name):
    found = default_profiles().for_url(url)
    assert (found.name if found else None) == name


def test_longest_host_wins(tmp_path):
    write_profile(tmp_path, "example.cn", 'title = "h1"\n')
    write_profile(tmp_path, "news.example.cn", 'title = "h2.title"\n')
    profiles = load_profiles(tmp_path)
    assert profiles.for_url("http://news.example.cn/a").name == "news.example.cn"
    assert profiles.for_url("http://www.example.cn/a").name == "example.cn"


def test_extra_hosts(tmp_path):
    write_profile(tmp_path, "example.cn", 'hosts = ["example.com.cn"]\ntitle = "h1"\n')
    assert load_profiles(tmp_path).for_url("http://m.example.com.cn/a").name == "example.cn"


@pytest.mark.parametrize("text, key", [
    ('titel = "h1"\n', "titel"),
    ('title = "h1["\n', "title"),
    ('body = "div..content"\n', "body"),
    ('remove = ["div.ok", ":not("]\n', "remove"),
    ('title = 3\n', "title"),
    ('remove = "div.side"\nhosts = [1]\n', "hosts"),
    ('date = "span.date"\ndate_format = "%H:%M"\n', "date_format"),
    ('date_format = "%Y-%m-%d"\n', "date_format"),
])
def test_a_bad_profile_is_one_clear_error_naming_file_and_key(tmp_path, text, key):
    path = write_profile(tmp_path, "bad.example.cn", text)
    with pytest.raises(ProfileError) as info:
        load_profile(path)
    message = str(info.value)
    assert "bad.example.cn.toml" in message and f"'{key}'" in message


def test_a_bad_selector_in_a_profile_folder_is_that_error_when_its_site_is_first_extracted(tmp_path):
    write_profile(tmp_path, "bad.example.cn", 'title = "h1"\nbody = "div..content"\n')
    profile = load_profiles(tmp_path).for_url("http://www.bad.example.cn/a.html")  # read, not compiled yet
    with pytest.raises(ProfileError) as info:
        extract_html("<html><body><h1>A headline</h1><p>Text.</p></body></html>", url="http://www.bad.example.cn/a.html",
                     profiles=ProfileSet((profile,)))
    assert "bad.example.cn.toml" in str(info.value) and "'body'" in str(info.value)


def test_start_up_compiles_no_selector_of_a_site_it_has_not_seen():
    # soupsieve's first compile costs ~0.1 s of CPU: a run over other sites' pages never pays it
    script = ("import parsers\nfrom parsers.profiles import default_profiles\nparsers.warm_up()\n"
              "parsers.extract_article(b'<html><body><h1>Title</h1><p>Some text, here.</p></body></html>', "
              "url='https://example.com/a.html')\n"
              "print(sorted(p.name for p in default_profiles().profiles if 'compiled' in vars(p)))\n"
              "parsers.extract_article(b'<html><body><h1 class=article-title>T</h1></body></html>', "
              "url='https://www.lndj.gov.cn/a.html')\n"
              "print(sorted(p.name for p in default_profiles().profiles if 'compiled' in vars(p)))")
    done = subprocess.run([sys.executable, "-c", script], cwd=REPO, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines() == ["[]", "['lndj.gov.cn']"]


def test_bad_toml_names_the_file(tmp_path):
    path = write_profile(tmp_path, "broken.cn", 'title = "h1\n')
    with pytest.raises(ProfileError, match="broken.cn.toml"):
        load_profile(path)


# --- the fixture pages with their profile ------------------------------------------------------------

@pytest.mark.parametrize("field", GOLD_FIELDS)
@pytest.mark.parametrize("stem", sorted(PROFILED))
def test_fixture_gold_with_the_profile(stem, field):
    record = extract(stem)  # the shipped profiles, selected by the page's host
    expected, got = expected_and_got(field, record.to_dict(), gold(stem))
    assert got == expected


@pytest.mark.parametrize("field", GOLD_FIELDS)
@pytest.mark.parametrize("stem", sorted(PROFILED))
def test_fixture_gold_without_profiles(stem, field):
    expected, got = expected_and_got(field, extract(stem, NO_PROFILES).to_dict(), gold(stem))
    assert got == expected


@pytest.mark.parametrize("stem", sorted(PROFILED))
def test_provenance_names_the_profile_for_overridden_fields(stem):
    name, fields = PROFILED[stem]
    provenance = extract(stem).provenance
    for field in fields:
        if field.startswith("authors."):  # a role's sources: the profile's byline node first
            assert provenance.get(field, "").split(", ")[0] == f"profile:{name}", (field, provenance)
        else:
            assert provenance.get(field) == f"profile:{name}", (field, provenance)
    generic = extract(stem, NO_PROFILES).provenance
    assert not any(v.startswith("profile:") for v in generic.values())
    assert set(generic) >= {k for k in fields if not k.startswith("authors.")}


def test_list_and_error_pages_of_profiled_hosts_are_unchanged():
    for stem in ("fanfu-list-fanfujishi", "lndj-error-51920"):
        with_profile = extract(stem).to_dict()
        without = extract(stem, NO_PROFILES).to_dict()
        for field in ("is_article", "links", "title", "paragraphs"):
            assert with_profile[field] == without[field], (stem, field)
        expected, got = expected_and_got("links", with_profile, gold(stem))
        assert got == expected


def test_a_profile_that_points_to_missing_nodes_falls_back_to_the_generic_result(tmp_path):
    write_profile(tmp_path, "lndj.gov.cn", "\n".join([
        'title = "h1.no-such-title"', 'body = "#no-such-body"', 'date = "span.no-date"',
        'date_format = "%Y-%m-%d"', 'source = ".no-source"', 'authors = ".no-byline"',
        'kicker = ".no-kicker"', 'subtitle = ".no-subtitle"', 'images = ".no-images"',
        'remove = ["div.no-such-thing"]', ""]))
    missing = load_profiles(tmp_path)
    assert missing.for_url(gold("lndj-original-51919")["url"]) is not None
    with_missing = extract("lndj-original-51919", missing)
    generic = extract("lndj-original-51919", NO_PROFILES)
    assert with_missing.to_dict() == generic.to_dict()


def test_profile_remove_drops_nodes_before_extraction(tmp_path):
    write_profile(tmp_path, "lndj.gov.cn", 'remove = ["div.article-editor"]\n')
    record = extract("lndj-original-51919", load_profiles(tmp_path))
    assert record.authors == []  # 【责任编辑：张琳】 was removed with its element


def test_profile_body_selector_overrides_the_generic_container(tmp_path):
    # Point the body at the first half of the story only: the profile wins over text density.
    html, _ = decode_bytes((PAGES / "lndj-original-51919.html").read_bytes(), None)
    html = html.replace('<div class="TRS_Editor">', '<div class="TRS_Editor"><div class="part-one">', 1)
    html = html.replace('<p style="text-align: center;"><strong>做强赛事经济', '</div><p style="text-align: center;"><strong>做强赛事经济', 1)
    write_profile(tmp_path, "lndj.gov.cn", 'body = "div.part-one"\n')
    record = extract("lndj-original-51919", load_profiles(tmp_path), html=html)
    full = gold("lndj-original-51919")["paragraphs"]
    assert record.paragraphs and len(record.paragraphs) < len(full)
    assert record.paragraphs == full[: len(record.paragraphs)]
