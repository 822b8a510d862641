"""Routes of the reports area (being written)."""

from fastapi import APIRouter

router = APIRouter()
