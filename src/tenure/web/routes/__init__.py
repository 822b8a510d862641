"""The app's routes, one module per area; each holds its pages and its `/api/v1` endpoints."""
