"""Reports: the directors' indicator page, a static HTML file per publication and language."""
