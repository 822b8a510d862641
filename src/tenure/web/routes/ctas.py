"""Routes of the ctas area (being written)."""

from fastapi import APIRouter

router = APIRouter()
