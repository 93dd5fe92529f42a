"""The store and everything done to it: open, load, replace a source graph,
query with parameters, validate, summarise.  Nothing here imports Flask."""
