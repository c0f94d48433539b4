"""HTML report of conformance results: ``render.render_html(runs)`` and ``render.write_html(runs, path)``."""
