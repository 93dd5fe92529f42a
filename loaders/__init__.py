"""Loaders: each turns one kind of source into triples for its named graph."""
