import pytest

from cmeconf.accounts.rules import npi_is_valid


@pytest.mark.parametrize(
    ("npi", "valid"),
    [
        ("1234567893", True),  # CMS's worked example
        ("1234567890", False),  # wrong check digit
        ("123456789", False),
        ("12345678901", False),
        ("12345678a3", False),
        ("", False),
    ],
)
def test_npi_check_digit(npi, valid):
    assert npi_is_valid(npi) is valid
