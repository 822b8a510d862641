"""Routes of the book area (being written)."""

from fastapi import APIRouter

router = APIRouter()
