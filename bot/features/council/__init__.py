"""`/council`: the council-wide command; a member's own data (export, erase) first."""
