import pytest
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from cmeconf.accounts import services

PASSWORD = "correct horse battery staple"


def code_for(device: TOTPDevice, steps_ahead: int = 0) -> str:
    """The code an authenticator app shows now (or `steps_ahead` periods later).

    A device refuses a code for a period it has already accepted, so a second
    login in the same 30 seconds uses the next period's code, which the device's
    tolerance of one step accepts.
    """
    value = totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits,
                 drift=device.drift + steps_ahead)  # fmt: skip
    return f"{value:0{device.digits}d}"


@pytest.fixture
def enrolled(learner):
    """The learner with two-factor on: (user, totp device, backup codes)."""
    device = services.start_two_factor(learner, by=learner)
    codes = services.confirm_two_factor(device, code_for(device), by=learner)
    assert codes is not None
    device.refresh_from_db()
    return learner, device, codes
