"""A module whose import fails: the corpus tool must record it and go on."""

raise RuntimeError("this module refuses to be imported")
