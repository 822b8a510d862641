"""Routes of the dashboard area (being written)."""

from fastapi import APIRouter

router = APIRouter()
