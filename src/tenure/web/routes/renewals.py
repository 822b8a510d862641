"""Routes of the renewals area (being written)."""

from fastapi import APIRouter

router = APIRouter()
