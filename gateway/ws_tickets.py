"""Single-use WebSocket tickets: what the progress socket's URL carries instead of the access token.

A URL ends up in proxy and access logs, so the 24 h access token must never be in one. The client
asks `POST /api/ws-ticket` (with its bearer token, in a header) for a ticket that opens one
session's socket once, within `ws_ticket_ttl_s`. Only the ticket's sha256 is stored, and it is
spent with one DELETE ... RETURNING, so two gateway replicas can never both accept it.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import DateTime, ForeignKey, String, delete, func
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped, mapped_column

from gateway.db.models import Base

# What secrets.token_urlsafe(32) gives; anything else is not looked up.
TICKET_LENGTH = 43


class WsTicket(Base):
    __tablename__ = "ws_tickets"

    ticket_sha256: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    session_id: Mapped[str] = mapped_column(ForeignKey("sessions.id", ondelete="CASCADE"))
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


@dataclass(frozen=True)
class Spent:
    user_id: int
    session_id: str


def _hash(ticket: str) -> str:
    return hashlib.sha256(ticket.encode()).hexdigest()


async def issue(db: AsyncSession, user_id: int, session_id: str, ttl_s: int) -> str:
    """A new ticket for the session's socket (the caller commits); expired ones are swept here."""
    now = datetime.now(UTC)
    await db.execute(delete(WsTicket).where(WsTicket.expires_at < now))
    ticket = secrets.token_urlsafe(32)
    db.add(
        WsTicket(
            ticket_sha256=_hash(ticket),
            user_id=user_id,
            session_id=session_id,
            expires_at=now + timedelta(seconds=ttl_s),
        )
    )
    return ticket


async def spend(db: AsyncSession, ticket: str | None) -> Spent | None:
    """The ticket's user and session, once; None when unknown, expired or already used."""
    if not ticket or len(ticket) != TICKET_LENGTH:
        return None
    row = (
        await db.execute(
            delete(WsTicket)
            .where(WsTicket.ticket_sha256 == _hash(ticket), WsTicket.expires_at > datetime.now(UTC))
            .returning(WsTicket.user_id, WsTicket.session_id)
        )
    ).first()
    await db.commit()
    return Spent(int(row[0]), str(row[1])) if row else None


__all__ = ["Spent", "WsTicket", "issue", "spend"]
