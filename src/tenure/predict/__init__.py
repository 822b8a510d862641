"""Prediction: point-in-time training sets, the renewal model, backtests, health-score validation, forecasts."""
