"""Spoken replies per user: `users.voice_replies`, set when someone asks "svar med tale" /
"answer by voice" and cleared by "svar med tekst" / "answer by text".

Revision ID: 9b3e51d07a2c
Revises: 4f2d8e61c0a7
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision: str = "9b3e51d07a2c"
down_revision: str | None = "4f2d8e61c0a7"


def upgrade() -> None:
    with op.batch_alter_table("users") as batch:
        batch.add_column(sa.Column("voice_replies", sa.Boolean(), nullable=False, server_default=sa.false()))


def downgrade() -> None:
    with op.batch_alter_table("users") as batch:
        batch.drop_column("voice_replies")
