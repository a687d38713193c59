"""Forms: the catalogue read from forms.toml, the checks of its keys, and how each form looks and asks."""
