"""The Listening Tour (`/tour`)."""
