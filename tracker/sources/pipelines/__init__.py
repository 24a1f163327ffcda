"""Item pipelines, one module per source: validate → normalize → store."""
