"""Routes of the feedback area (being written)."""

from fastapi import APIRouter

router = APIRouter()
