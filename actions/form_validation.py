"""The base of the forms' validators: rasa-sdk's `FormValidationAction`, with the form's slots."""

from __future__ import annotations

from abc import ABC, abstractmethod
from functools import cache

import yaml
from rasa_sdk.forms import FormValidationAction
from rasa_sdk.types import DomainDict

from bot.knowledge_data import DOMAIN


@cache
def form_slots(form: str) -> tuple[str, ...]:
    """A form's required slots, as domain.yml lists them."""
    forms = (yaml.safe_load(DOMAIN.read_text(encoding="utf-8")) or {}).get("forms") or {}
    return tuple((forms.get(form) or {}).get("required_slots") or [])


class FormValidation(FormValidationAction, ABC):
    """rasa-sdk's form validation (`extract_<slot>` then `validate_<slot>`) for this project's forms.

    An `extract_<slot>` that returns nothing lets the form step aside (Rasa rejects the form
    and the rules take over); a `validate_<slot>` ends the form by setting `requested_slot` to None.
    """

    @abstractmethod
    def name(self) -> str:
        """`validate_<form>`; abstract, so that the action server registers only the real forms."""

    def domain_slots(self, domain: DomainDict) -> list[str]:
        """The form's slots: from the domain sent, else from domain.yml (a call may carry none)."""
        return super().domain_slots(domain) or list(form_slots(self.form_name()))
