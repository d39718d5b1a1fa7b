"""Framework catalogs: the public-domain ones shipped in data/catalogs/ (built by
`python -m isms.catalogs.build`), and those a user imports from a licensed copy."""
