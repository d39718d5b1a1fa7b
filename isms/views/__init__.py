"""What each page shows, computed without Streamlit: settings in, a frozen bundle out."""
