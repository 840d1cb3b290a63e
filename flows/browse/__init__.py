"""`newsduck browse`: the web app over the warehouse (app.py), its templates and static files."""
