"""The renewal and expansion desk shared with Sales: renewal pipeline and forecast calls, expansion
pipeline and leads, the joint review list, deal vetting before signature, and advocacy."""
