"""Charts shared by the board pack, the account briefs and the web app: Altair specs, rendered offline."""
