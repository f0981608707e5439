"""Privacy through the life of the data: uninstall purge, leaving a council, retention."""
