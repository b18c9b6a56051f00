"""Moved to bot/privacy.py (one masking at write time and in the report); kept for imports."""

from bot.privacy import (  # noqa: F401
    EMAIL,
    EMAIL_MASK,
    NAME_MASK,
    NUMBER,
    NUMBER_MASK,
    PHONE,
    PHONE_MASK,
    PRODUCT_NAMES,
    fold,
    mask,
    vocabulary_of,
)
