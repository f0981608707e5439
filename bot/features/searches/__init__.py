"""A member's search at one company: the entity every feature hangs its data on."""
