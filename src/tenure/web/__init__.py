"""The web app: server-rendered pages and the REST API over one workspace, with roles enforced server-side."""
