"""Results ready to show: each view runs engine expressions through the warehouse for one screen or command."""
