"""Streamlit helpers shared by the pages: resources, cached reads, scorecard tiles."""
