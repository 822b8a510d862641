"""Routes of the operating area (being written)."""

from fastapi import APIRouter

router = APIRouter()
