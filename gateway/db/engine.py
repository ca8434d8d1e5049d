"""The async engine and session factory (asyncpg on PostgreSQL, the one dialect everywhere)."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker, create_async_engine

from gateway.core.config import to_asyncpg_url


def make_engine(url: str) -> AsyncEngine:
    return create_async_engine(to_asyncpg_url(url), pool_size=10, max_overflow=10, pool_pre_ping=True)


def make_sessionmaker(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return async_sessionmaker(engine, expire_on_commit=False)
