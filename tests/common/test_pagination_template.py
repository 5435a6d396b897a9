"""The staff lists' shared previous / next links keep the list's search and filters."""

from django.core.paginator import Paginator
from django.template.loader import render_to_string


def _page(number: int):
    return Paginator(list(range(100)), 10).page(number)


def test_the_search_travels_encoded():
    html = render_to_string("staff/_pagination.html", {"page": _page(2), "search": "Ann & Bo"})
    assert 'href="?q=Ann%20%26%20Bo&amp;page=1"' in html
    assert 'href="?q=Ann%20%26%20Bo&amp;page=3"' in html
    assert "Page 2 of 10" in html


def test_encoded_filters_travel_as_given():
    html = render_to_string("staff/_pagination.html", {"page": _page(1), "filters": "type=ANCC"})
    assert 'href="?type=ANCC&amp;page=2"' in html
    assert "Previous" not in html


def test_one_page_needs_no_links():
    page = Paginator([1], 10).page(1)
    assert render_to_string("staff/_pagination.html", {"page": page}).strip() == ""
