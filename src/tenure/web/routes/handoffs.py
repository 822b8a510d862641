"""Routes of the handoffs area (being written)."""

from fastapi import APIRouter

router = APIRouter()
