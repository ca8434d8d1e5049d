"""Columns that several tables declare alike (each table still gets columns of its own)."""

from __future__ import annotations

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column


class UserOwned:
    """A row that one user owns (an API key, a brand kit): a 36-character id, and the owner's id,
    indexed, the row deleted with the user. Put it before Base: `class Kit(UserOwned, Base)`."""

    # sort_order: first in the table, as the migrations create them (mixin columns otherwise go last).
    id: Mapped[str] = mapped_column(String(36), primary_key=True, sort_order=-2)
    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), index=True, sort_order=-1
    )
