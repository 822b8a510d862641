"""Routes of the accounts area (being written)."""

from fastapi import APIRouter

router = APIRouter()
