"""The dashboard's pages: Streamlit scripts that only lay out widgets (run by dashboards/app.py)."""
