"""Regression from Scratch: the helper package the course notebooks import."""
