"""The outer layer: the command line and the Flask web application."""
