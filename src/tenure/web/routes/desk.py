"""Routes of the desk area (being written)."""

from fastapi import APIRouter

router = APIRouter()
