"""Tiedolla: the command line and the pieces shared by every stage (home folder, reference data)."""
