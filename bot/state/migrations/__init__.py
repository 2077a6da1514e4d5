"""Alembic migrations of the bot's state schema, run by :meth:`bot.state.Database.connect`.

``env.py`` tells Alembic how to reach the database, ``versions/`` holds one file per revision
(``0001_initial`` creates the tables of :mod:`bot.state.tables` as they were before Alembic).
To change the schema: edit :mod:`bot.state.tables`, then from the repository root
``.venv/bin/alembic upgrade head`` (a scratch SQLite database under ``data/``) and
``.venv/bin/alembic revision --autogenerate --rev-id 0002 -m "what changes"``; review the
generated file, set :data:`bot.state.database.SCHEMA_VERSION` to the new revision, and let the
tests check that the migrations build exactly the tables of the metadata.

A migration that changes the tables also sets ``schema_version.version`` to its number, so a
release from before Alembic (which only reads that row) refuses the database instead of
misusing it.
"""
