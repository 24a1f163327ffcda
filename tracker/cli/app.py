"""What every command gets: settings, an engine and sessions, built on demand."""

from __future__ import annotations

import sys
from functools import cached_property
from typing import TextIO

from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, sessionmaker

from tracker.config import Settings, load_settings
from tracker.store.db import ensure_schema, make_engine, make_sessionmaker
from tracker.terminal import is_terminal, terminal_safe


class App:
    def __init__(
        self,
        config_path: str | None = None,
        verbose: int = 0,
        out: TextIO | None = None,
        settings: Settings | None = None,
    ) -> None:
        self.config_path = config_path
        self.verbose = verbose
        self.out = out or sys.stdout
        self._settings = settings
        self._engine: Engine | None = None

    @property
    def settings(self) -> Settings:
        if self._settings is None:
            self._settings = load_settings(self.config_path)
        return self._settings

    @property
    def log_level(self) -> str:
        return "WARNING" if self.verbose == 0 else "INFO" if self.verbose == 1 else "DEBUG"

    def engine(self, *, migrate: bool = True) -> Engine:
        """The database engine; the schema is brought to head first (Alembic)."""
        if self._engine is None:
            self._engine = make_engine(self.settings.database_url)
            if migrate:
                ensure_schema(self._engine)
        return self._engine

    @cached_property
    def sessions(self) -> sessionmaker[Session]:
        return make_sessionmaker(self.engine())

    def print(self, *parts: object) -> None:
        """Print to the command's output; on a terminal, control characters from the data are made visible."""
        if is_terminal(self.out):
            print(terminal_safe(" ".join(str(p) for p in parts)), file=self.out)
        else:
            print(*parts, file=self.out)

    def close(self) -> None:
        if self._engine is not None:
            self._engine.dispose()
