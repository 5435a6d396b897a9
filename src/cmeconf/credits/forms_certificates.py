"""Forms of the certificate pages: a provider's template, choosing it, revoking a certificate."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _
from PIL import Image

from cmeconf.credits.models import CertificateTemplate

MAX_IMAGE_BYTES = 2 * 1024 * 1024
IMAGE_FORMATS = {"PNG", "JPEG"}


def checked_image(upload):
    """A PNG or JPEG of at most 2 MB, read by Pillow (the file's content, not its name)."""
    if not upload or not hasattr(upload, "size") or not hasattr(upload, "read"):
        return upload
    if upload.size > MAX_IMAGE_BYTES:
        raise forms.ValidationError(_("The image is larger than 2 MB; please make it smaller."))
    try:
        upload.seek(0)
        with Image.open(upload) as img:
            fmt = img.format
            img.verify()
    except (OSError, ValueError, Image.DecompressionBombError) as exc:
        raise forms.ValidationError(_("This file is not a PNG or JPEG image.")) from exc
    finally:
        upload.seek(0)
    if fmt not in IMAGE_FORMATS:
        raise forms.ValidationError(_("Use a PNG or JPEG image."))
    return upload


class CertificateTemplateForm(forms.ModelForm):
    class Meta:
        model = CertificateTemplate
        fields = [
            "name",
            "logo",
            "signature",
            "signer_name",
            "signer_title",
            "footer",
            "is_default",
        ]
        help_texts = {
            "logo": _("PNG or JPEG, at most 2 MB. Printed at the top left of the certificate."),
            "signature": _("PNG or JPEG, at most 2 MB; a transparent PNG prints best."),
            "footer": _("One line at the foot of the page, e.g. your address and website."),
            "is_default": _("Used by every activity that has not chosen another template."),
        }
        widgets = {
            "logo": forms.ClearableFileInput(attrs={"accept": "image/png,image/jpeg"}),
            "signature": forms.ClearableFileInput(attrs={"accept": "image/png,image/jpeg"}),
        }

    def clean_logo(self):
        return checked_image(self.cleaned_data.get("logo"))

    def clean_signature(self):
        return checked_image(self.cleaned_data.get("signature"))


class TemplateChoiceForm(forms.Form):
    template = forms.ModelChoiceField(
        label=_("Certificate template"),
        queryset=CertificateTemplate.objects.none(),
        required=False,
        empty_label=_("The provider's default template"),
    )

    def __init__(self, *args, provider, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["template"].queryset = CertificateTemplate.objects.filter(provider=provider)


class RevokeForm(forms.Form):
    reason = forms.CharField(
        label=_("Why is this certificate revoked?"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_(
            "Kept in the audit trail. The verification page says only that the provider "
            "revoked the certificate."
        ),
    )
