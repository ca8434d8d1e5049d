"""`python -m gateway`: serve the API with uvicorn on ADREEL_GATEWAY_HOST:ADREEL_GATEWAY_PORT.

Without DATABASE_URL an embedded PostgreSQL (pgserver) is started under .adreel/ and migrated.
"""

from __future__ import annotations

import signal
import sys

import uvicorn

from gateway.app import create_app
from gateway.core.config import Settings
from gateway.db.embedded import start_embedded_postgres
from gateway.db.migrate import upgrade
from services.common.logs import configure_logging


def main() -> None:
    settings = Settings()
    configure_logging("gateway")
    server = None
    # uvicorn re-raises the signal that stopped it; make SIGTERM an exit, so `finally` stops PostgreSQL.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    if not settings.database_url:
        url, server = start_embedded_postgres(settings.state_dir / "pgdata")
        settings = settings.model_copy(update={"database_url": url})
        upgrade(url)
    try:
        uvicorn.run(
            create_app(settings),
            host=settings.gateway_host,
            port=settings.gateway_port,
            log_config=None,
            ws="websockets-sansio",
            # X-Forwarded-For is believed only from ADREEL_TRUSTED_PROXIES (gateway/api/client_ip.py);
            # uvicorn's own handling would trust any local process.
            proxy_headers=False,
        )
    finally:
        if server is not None:
            server.stop()


if __name__ == "__main__":
    main()
