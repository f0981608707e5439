"""`/fit`: the Two-Pager and the Candidate-Market Fit statement."""
